package io.metaproxy.script.js;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.script.ScriptSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;

/**
 * Runs a built-in script through the whole filter path a few hundred times when the shared Engine is created.
 *
 * <p>The first JS call in a process is very slow (hundreds of milliseconds: class loading, the interpreter's own
 * JIT warm-up, interop set-up); without this, the first requests after start would fail their 10ms budget. After it,
 * a new Context's first call costs a few milliseconds. It runs once per process, when the first JS filter is built.
 */
final class WarmUp {
  private static final String SCRIPT =
      """
      export function onRequest(ctx) {
        const method = ctx.get("method") ?? "none";
        ctx.set("x-seen", method + ":" + ctx.keys().join(","));
        ctx.setState("start", String(ctx.now()));
        if (ctx.messageType() !== "request" || ctx.requestId() < 0) ctx.routeTo(ctx.cluster() ?? "x");
        ctx.count("warm", 1);
      }
      export function onResponse(ctx) {
        ctx.set("x-took", String(ctx.now() - Number(ctx.state("start"))));
        ctx.remove("x-seen");
        if (ctx.route() === null) return ctx.reply("unspecified", ctx.operation() ?? ctx.peerAddress() + ctx.listener());
      }
      """;
  private static final int CALLS = 300;
  private static final long MAX_NANOS = 2_000_000_000L;

  private WarmUp() {}

  static void run(Engine engine) {
    ScriptSettings settings = ScriptSettings.parse(new WarmUpConfig());
    Source source =
        Source.newBuilder("js", SCRIPT, "<warm-up>").mimeType("application/javascript+module").buildLiteral();
    JsFilter filter = new JsFilter(settings, source, engine);
    try {
      NoOpContext context = new NoOpContext();
      long deadline = System.nanoTime() + MAX_NANOS;
      for (int i = 0; i < CALLS && System.nanoTime() - deadline < 0; i++) {
        filter.onRequest(context);
        filter.onResponse(context);
      }
    } finally {
      filter.close();
    }
  }

  private record WarmUpConfig() implements FilterConfig {
    @Override
    public String filterName() {
      return "js";
    }

    @Override
    public String listenerName() {
      return "<warm-up>";
    }

    @Override
    public Map<String, Object> settings() {
      return Map.of(ScriptSettings.SOURCE, SCRIPT, ScriptSettings.BUDGET, "10s");
    }

    @Override
    public Path resolve(String path) {
      return Path.of(path);
    }
  }

  /** A context with fixed answers that records nothing. */
  private static final class NoOpContext implements FilterContext {
    private static final List<String> KEYS = List.of("interface", "method");

    @Override
    public String get(String key) {
      return key.equals("method") ? "sayHello" : null;
    }

    @Override
    public List<String> keys() {
      return KEYS;
    }

    @Override
    public MessageType messageType() {
      return MessageType.REQUEST;
    }

    @Override
    public long requestId() {
      return 1;
    }

    @Override
    public String operation() {
      return "org.example.Greeter/sayHello";
    }

    @Override
    public String peerAddress() {
      return "127.0.0.1:1";
    }

    @Override
    public String listener() {
      return "<warm-up>";
    }

    @Override
    public String route() {
      return "default";
    }

    @Override
    public String cluster() {
      return "default";
    }

    @Override
    public void set(String key, String value) {}

    @Override
    public void remove(String key) {}

    @Override
    public FilterStatus reply(ErrorType error, String message) {
      return FilterStatus.STOP;
    }

    @Override
    public void routeTo(String cluster) {}

    @Override
    public void resume() {}

    @Override
    public String state(String key) {
      return "0";
    }

    @Override
    public void setState(String key, String value) {}

    @Override
    public void log(String level, String message) {}

    @Override
    public void count(String metric, long delta) {}

    @Override
    public long now() {
      return 0;
    }
  }
}
