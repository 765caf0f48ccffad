package io.metaproxy.host.testing;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.api.FilterStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A filter for the host's tests, driven by request headers so one chain covers every path: {@code t-set: k=v} sets a
 * key, {@code t-reply: error_type} answers locally, {@code t-pause: ms} pauses and resumes from another thread, {@code
 * t-route: cluster} overrides the cluster, {@code t-throw} throws. On the response it copies the request-side state
 * {@code seen} into response key {@code t-state} and records its response-path call. Setting {@code tag} names the
 * instance in {@code t-order} so tests can see the order filters ran in.
 */
public final class TestFilterFactory implements FilterFactory {
  /** Instances closed so far (snapshot retirement). */
  public static final AtomicInteger CLOSED = new AtomicInteger();

  @Override
  public String name() {
    return "test_filter";
  }

  @Override
  public Filter create(FilterConfig config) {
    Map<String, Object> settings = config.settings();
    for (String key : settings.keySet()) {
      if (!key.equals("tag")) {
        throw new IllegalArgumentException("unknown setting '" + key + "' (allowed: tag)");
      }
    }
    String tag = String.valueOf(settings.getOrDefault("tag", "t"));
    return new Filter() {
      @Override
      public FilterStatus onRequest(FilterContext ctx) {
        boolean recordKeys = ctx.get("t-keys") != null;
        if (recordKeys) {
          ctx.setState("keys-start-" + tag, String.join(" ", ctx.keys())); // the state is the request's, shared
        }
        String order = ctx.get("t-order");
        ctx.set("t-order", order == null ? tag : order + "," + tag);
        if (recordKeys) {
          ctx.remove("t-keys-drop");
          ctx.set("t-keys-new", tag);
          ctx.set("method", ctx.get("method")); // an existing key, set again: listed once, in its place
          ctx.setState("keys-end-" + tag, String.join(" ", ctx.keys()));
        }
        ctx.setState("seen", "overwritten below");
        for (int i = 0; i < 6; i++) { // more keys than the state starts with room for
          ctx.setState("n" + i, Integer.toString(i));
        }
        ctx.setState("seen", ctx.operation() + "@" + ctx.listener());
        String set = ctx.get("t-set");
        if (set != null) {
          int eq = set.indexOf('=');
          ctx.set(set.substring(0, eq), set.substring(eq + 1));
        }
        if (ctx.get("t-throw") != null) {
          throw new IllegalStateException("boom from " + tag);
        }
        String reply = ctx.get("t-reply");
        if (reply != null) {
          return ctx.reply(ErrorType.fromName(reply), "rejected by " + tag);
        }
        String route = ctx.get("t-route");
        if (route != null) {
          ctx.routeTo(route);
        }
        String pause = ctx.get("t-pause");
        if (pause != null) {
          CompletableFuture.delayedExecutor(Long.parseLong(pause), TimeUnit.MILLISECONDS).execute(ctx::resume);
          return FilterStatus.PAUSE;
        }
        return FilterStatus.CONTINUE;
      }

      @Override
      public FilterStatus onResponse(FilterContext ctx) {
        ctx.set("t-state", ctx.state("seen"));
        if (ctx.state("keys-start-" + tag) != null) {
          ctx.set("t-keys-" + tag, ctx.state("keys-start-" + tag) + " | " + ctx.state("keys-end-" + tag));
        }
        ctx.set("t-state-keys", ctx.state("n0") + ctx.state("n3") + ctx.state("n5") + ctx.state("absent"));
        String order = ctx.get("t-response-order");
        ctx.set("t-response-order", order == null ? tag : order + "," + tag);
        ctx.count("test_responses", 1);
        return FilterStatus.CONTINUE;
      }

      @Override
      public void close() {
        CLOSED.incrementAndGet();
      }
    };
  }
}
