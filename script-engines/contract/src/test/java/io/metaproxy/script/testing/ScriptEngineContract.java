package io.metaproxy.script.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.script.ScriptApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every script engine must do, written once and run against each engine with snippets in its language (see
 * {@link ScriptDialect}). An engine's test extends this class and supplies its factory and dialect.
 *
 * <p>The operations come from {@link ScriptApi#OPERATIONS}, i.e. from FilterContext by reflection: a method added to
 * FilterContext has no behaviour here, so {@link #everyOperationBehavesAsSpecified} fails until one is written, and
 * then fails for every engine that does not bind it.
 */
public abstract class ScriptEngineContract {
  private static final Duration NEVER_HANGS = Duration.ofSeconds(60);
  private static final String RELAXED_BUDGET = "5s";

  @TempDir protected Path dir;

  private final List<Filter> filters = new ArrayList<>();

  /** The engine's factory. */
  protected abstract FilterFactory factory();

  /** How to write the contract's snippets in the engine's language. */
  protected abstract ScriptDialect dialect();

  /** The name configuration uses for the engine ({@code lua}, {@code js}). */
  protected abstract String expectedName();

  /** How many times the engine has compiled a script so far (its {@code CompiledScripts} counter). */
  protected abstract long compilations();

  @AfterEach
  void closeFilters() {
    filters.forEach(Filter::close);
  }

  // ---- building filters -------------------------------------------------------------------------------------------

  /**
   * Builds a filter. Unless the test is about budgets it gets a generous one: a test machine's speed is no part of
   * the contract, and a fresh VM's first call is slower than later ones.
   */
  protected final Filter create(Map<String, Object> settings) {
    Map<String, Object> withBudget = new HashMap<>(settings);
    withBudget.putIfAbsent("budget", RELAXED_BUDGET);
    Filter filter = factory().create(TestFilterConfig.of(factory().name(), withBudget, dir));
    filters.add(filter);
    return filter;
  }

  protected final Filter inline(String script) {
    return create(Map.of("source", script));
  }

  /** Writes {@code script} to {@code relativePath} under the test folder and builds a filter with {@code file:}. */
  protected final Filter fromFile(String relativePath, String script, Map<String, Object> moreSettings) {
    write(relativePath, script);
    Map<String, Object> settings = new HashMap<>(moreSettings);
    settings.put("file", relativePath);
    return create(settings);
  }

  protected final void write(String relativePath, String script) {
    try {
      Path file = dir.resolve(relativePath);
      Files.createDirectories(file.getParent());
      Files.writeString(file, script);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- snippets ---------------------------------------------------------------------------------------------------

  private ScriptDialect d() {
    return dialect();
  }

  /** A statement setting message key {@code key} to the text of {@code expression}. */
  private String out(String key, String expression) {
    return d().statement(d().call("set", d().string(key), d().text(expression)));
  }

  private String call(String name, String... arguments) {
    return d().statement(d().call(name, arguments));
  }

  private String str(String value) {
    return d().string(value);
  }

  private static String lines(String... statements) {
    return String.join("\n", statements);
  }

  /** Runs {@code body} as the request handler on {@code context}; expects it to go on without a reply. */
  private RecordingFilterContext request(String body, RecordingFilterContext context) {
    FilterStatus status = inline(d().script(body, null)).onRequest(context);
    assertThat(context.replies()).as("replies of %s", body).isEmpty();
    assertThat(status).isEqualTo(FilterStatus.CONTINUE);
    return context;
  }

  private RecordingFilterContext request(String body) {
    return request(body, RecordingFilterContext.request());
  }

  /** Runs {@code body} as the request handler and expects a script_error reply; returns its message. */
  private String failingRequest(Filter filter, RecordingFilterContext context) {
    FilterStatus status = assertTimeoutPreemptively(NEVER_HANGS, () -> filter.onRequest(context));
    assertThat(status).isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).hasSize(1);
    assertThat(context.replies().get(0).error()).isEqualTo(ErrorType.SCRIPT_ERROR);
    return context.replies().get(0).message();
  }

  // ---- the factory ------------------------------------------------------------------------------------------------

  @Test
  void factoryHasItsConfigurationName() {
    assertThat(factory().name()).isEqualTo(expectedName());
  }

  @Test
  void factoryIsFoundByServiceLoader() {
    assertThat(ServiceLoader.load(FilterFactory.class).stream().map(ServiceLoader.Provider::type))
        .contains(factory().getClass().asSubclass(FilterFactory.class));
  }

  // ---- the API: one behaviour per FilterContext operation -----------------------------------------------------

  @Test
  void ctxHasAFunctionForEveryOperationAndNothingElse() {
    List<String> body = new ArrayList<>();
    for (String operation : ScriptApi.OPERATIONS) {
      body.add(out("has-" + operation, d().isFunction(operation)));
    }
    List<String> notApi = List.of("getClass", "hashCode", "equals", "wait", "notify", "context", "scriptContext");
    for (String member : notApi) {
      body.add(out("has-" + member, d().isFunction(member)));
    }
    RecordingFilterContext context = request(String.join("\n", body));
    for (String operation : ScriptApi.OPERATIONS) {
      assertThat(context.mutation().get("has-" + operation)).as("ctx.%s is a function", operation).isEqualTo("true");
    }
    for (String member : notApi) {
      assertThat(context.mutation().get("has-" + member)).as("ctx.%s is hidden", member).isEqualTo("false");
    }
  }

  @Test
  void contractCoversExactlyTheFilterContextOperations() {
    assertThat(behaviours().keySet()).containsExactlyInAnyOrderElementsOf(ScriptApi.OPERATIONS);
  }

  @TestFactory
  Stream<DynamicTest> everyOperationBehavesAsSpecified() {
    Map<String, Executable> behaviours = behaviours();
    return ScriptApi.OPERATIONS.stream()
        .map(
            operation ->
                DynamicTest.dynamicTest(
                    operation,
                    () -> {
                      Executable behaviour = behaviours.get(operation);
                      assertThat(behaviour)
                          .as("no contract behaviour for FilterContext.%s: add one to ScriptEngineContract", operation)
                          .isNotNull();
                      behaviour.execute();
                    }));
  }

  private Map<String, Executable> behaviours() {
    Map<String, Executable> behaviours = new LinkedHashMap<>();
    behaviours.put(
        "get",
        () -> {
          RecordingFilterContext context =
              request(
                  lines(out("out", d().call("get", str("method"))), out("absent", d().isAbsent(d().call("get", str("nope"))))),
                  RecordingFilterContext.request().with("method", "sayHello"));
          assertThat(context.mutation().get("out")).isEqualTo("sayHello");
          assertThat(context.mutation().get("absent")).isEqualTo("true");
        });
    behaviours.put(
        "keys",
        () -> {
          RecordingFilterContext context =
              request(out("out", d().join(d().call("keys"))), RecordingFilterContext.request().with("a", "1").with("b", "2"));
          assertThat(context.mutation().get("out")).isEqualTo("a,b");
        });
    behaviours.put(
        "messageType",
        () -> {
          assertThat(request(out("out", d().call("messageType"))).mutation().get("out")).isEqualTo("request");
          RecordingFilterContext oneway = RecordingFilterContext.request().messageType(MessageType.ONEWAY);
          assertThat(request(out("out", d().call("messageType")), oneway).mutation().get("out")).isEqualTo("oneway");
          RecordingFilterContext response = RecordingFilterContext.request().response();
          Filter filter = inline(d().script(null, out("out", d().call("messageType"))));
          assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
          assertThat(response.mutation().get("out")).isEqualTo("response");
        });
    behaviours.put(
        "requestId",
        () ->
            assertThat(
                    request(out("out", d().call("requestId")), RecordingFilterContext.request().requestId(1234567890123L))
                        .mutation()
                        .get("out"))
                .isEqualTo("1234567890123"));
    behaviours.put(
        "operation",
        () -> {
          assertThat(request(out("out", d().call("operation"))).mutation().get("out"))
              .isEqualTo("org.example.Greeter/sayHello");
          RecordingFilterContext none = RecordingFilterContext.request().operation(null);
          assertThat(request(out("out", d().isAbsent(d().call("operation"))), none).mutation().get("out"))
              .isEqualTo("true");
        });
    behaviours.put(
        "peerAddress",
        () -> assertThat(request(out("out", d().call("peerAddress"))).mutation().get("out")).isEqualTo("127.0.0.1:50123"));
    behaviours.put(
        "listener", () -> assertThat(request(out("out", d().call("listener"))).mutation().get("out")).isEqualTo("test-in"));
    behaviours.put(
        "route",
        () -> {
          assertThat(request(out("out", d().call("route"))).mutation().get("out")).isEqualTo("default");
          RecordingFilterContext none = RecordingFilterContext.request().route(null);
          assertThat(request(out("out", d().isAbsent(d().call("route"))), none).mutation().get("out")).isEqualTo("true");
        });
    behaviours.put(
        "cluster",
        () -> {
          assertThat(request(out("out", d().call("cluster"))).mutation().get("out")).isEqualTo("greet-v1");
          RecordingFilterContext none = RecordingFilterContext.request().cluster(null);
          assertThat(request(out("out", d().isAbsent(d().call("cluster"))), none).mutation().get("out"))
              .isEqualTo("true");
        });
    behaviours.put(
        "set",
        () -> {
          RecordingFilterContext context =
              request(
                  lines(
                      call("set", str("k"), str("v")),
                      call("set", str("n"), "5"),
                      call("set", str("f"), "1.5"),
                      call("set", str("k2"), str("first")),
                      call("set", str("k2"), str("second"))));
          assertThat(context.mutation().get("k")).isEqualTo("v");
          assertThat(context.mutation().get("n")).as("integers without a fraction").isEqualTo("5");
          assertThat(context.mutation().get("f")).isEqualTo("1.5");
          assertThat(context.mutation().get("k2")).isEqualTo("second");
          Filter filter = inline(d().script(call("set", str("k"), d().absent()), null));
          assertThat(failingRequest(filter, RecordingFilterContext.request()))
              .contains("bad argument #2 to 'set' (string expected, got ");
        });
    behaviours.put(
        "remove",
        () -> {
          RecordingFilterContext context =
              request(
                  lines(call("remove", str("method")), out("after", d().isAbsent(d().call("get", str("method"))))),
                  RecordingFilterContext.request().with("method", "sayHello"));
          assertThat(context.mutation().touches("method")).isTrue();
          assertThat(context.mutation().get("method")).isNull();
          assertThat(context.mutation().get("after")).isEqualTo("true");
        });
    behaviours.put(
        "reply",
        () -> {
          RecordingFilterContext context = RecordingFilterContext.request();
          Filter filter = inline(d().script(out("returned", d().call("reply", str("unauthorized"), str("bad token"))), null));
          assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.STOP);
          assertThat(context.replies())
              .containsExactly(new RecordingFilterContext.Reply(ErrorType.UNAUTHORIZED, "bad token"));
          assertThat(context.mutation().get("returned")).as("reply returns 'stop'").isEqualTo("stop");
          // on the response path too: the error replaces the upstream's response
          RecordingFilterContext response = RecordingFilterContext.request().response();
          Filter responseFilter = inline(d().script(null, call("reply", str("over_limit"), str("slow down"))));
          assertThat(responseFilter.onResponse(response)).isEqualTo(FilterStatus.STOP);
          assertThat(response.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.OVER_LIMIT, "slow down"));
        });
    behaviours.put(
        "routeTo",
        () -> {
          RecordingFilterContext context =
              request(lines(call("routeTo", str("greet-v2")), out("now", d().call("cluster"))));
          assertThat(context.routedTo()).isEqualTo("greet-v2");
          assertThat(context.mutation().get("now")).isEqualTo("greet-v2");
        });
    behaviours.put("resume", () -> assertThat(request(call("resume")).resumes()).isEqualTo(1));
    behaviours.put(
        "state",
        () -> {
          RecordingFilterContext context = RecordingFilterContext.request();
          Filter filter =
              inline(
                  d().script(
                          call("setState", str("user"), str("alice")),
                          lines(out("user", d().call("state", str("user"))), out("absent", d().isAbsent(d().call("state", str("nope")))))));
          assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
          RecordingFilterContext response = context.response();
          assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
          assertThat(response.mutation().get("user")).isEqualTo("alice");
          assertThat(response.mutation().get("absent")).isEqualTo("true");
        });
    behaviours.put(
        "setState",
        () ->
            assertThat(request(call("setState", str("k"), str("v"))).stateMap()).containsEntry("k", "v"));
    behaviours.put(
        "log",
        () ->
            assertThat(request(lines(call("log", str("info"), str("hello")), call("log", str("debug"), str("details")))).logs())
                .containsExactly(
                    new RecordingFilterContext.LogLine("info", "hello"),
                    new RecordingFilterContext.LogLine("debug", "details")));
    behaviours.put(
        "count",
        () -> {
          assertThat(request(lines(call("count", str("hits"), "3"), call("count", str("hits"), "2"))).counters())
              .containsEntry("hits", 5L);
          Filter filter = inline(d().script(call("count", str("hits"), "1.5"), null));
          assertThat(failingRequest(filter, RecordingFilterContext.request()))
              .contains("bad argument #2 to 'count' (integer expected, got 1.5)");
        });
    behaviours.put(
        "now",
        () ->
            assertThat(request(out("out", d().call("now"))).mutation().get("out"))
                .isEqualTo(Long.toString(RecordingFilterContext.NOW)));
    return behaviours;
  }

  // ---- handlers -------------------------------------------------------------------------------------------------

  @Test
  void handlersAreOptional() {
    RecordingFilterContext context = RecordingFilterContext.request();
    Filter responseOnly = inline(d().script(null, call("set", str("k"), str("v"))));
    assertThat(responseOnly.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.mutation().isEmpty()).isTrue();

    RecordingFilterContext response = RecordingFilterContext.request().response();
    Filter requestOnly = inline(d().script(call("set", str("k"), str("v")), null));
    assertThat(requestOnly.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation().isEmpty()).isTrue();
  }

  @Test
  void scriptWithoutHandlersIsRejected() {
    assertThatThrownBy(() -> inline(d().script(null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<inline>");
  }

  @Test
  void eachFilterHasItsOwnVm() {
    String script = d().script(d().countInGlobal("n"), null);
    Filter first = inline(script);
    Filter second = inline(script);
    RecordingFilterContext context = RecordingFilterContext.request();
    first.onRequest(context);
    first.onRequest(context);
    assertThat(context.mutation().get("n")).isEqualTo("2");
    RecordingFilterContext other = RecordingFilterContext.request();
    second.onRequest(other);
    assertThat(other.mutation().get("n")).isEqualTo("1");
  }

  // ---- errors -----------------------------------------------------------------------------------------------------

  @Test
  void failingScriptRepliesScriptErrorNamingFileAndLine() {
    String script = d().script(lines(call("set", str("before"), str("1")), d().raise("boom-marker")), null);
    Filter filter = fromFile("filters/failing." + d().fileExtension(), script, Map.of());
    RecordingFilterContext context = RecordingFilterContext.request();
    String message = failingRequest(filter, context);
    assertThat(message)
        .startsWith("filters/failing." + d().fileExtension() + ":" + lineOf(script, "boom-marker") + ": ")
        .contains("boom-marker");
    assertThat(context.logs()).anySatisfy(line -> {
      assertThat(line.level()).isEqualTo("warn");
      assertThat(line.message()).contains("boom-marker");
    });
  }

  @Test
  void failingScriptWithOnErrorContinuePassesTheMessageOn() {
    String script = d().script(lines(call("set", str("before"), str("1")), d().raise("boom-marker")), null);
    Filter filter = create(Map.of("source", script, "on_error", "continue"));
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.replies()).isEmpty();
    assertThat(context.mutation().get("before")).as("changes made before the failure stay").isEqualTo("1");
    assertThat(context.logs()).anySatisfy(line -> {
      assertThat(line.level()).isEqualTo("warn");
      assertThat(line.message()).contains("<inline>:").contains("boom-marker");
    });
  }

  @Test
  void scriptThatRunsPastItsBudgetIsStoppedAndTheVmStaysUsable() {
    Filter filter =
        create(Map.of("source", d().script(d().loopForever(), call("set", str("after"), str("ok"))), "budget", "200ms"));
    String message = failingRequest(filter, RecordingFilterContext.request());
    assertThat(message).startsWith("<inline>").contains("budget of 200ms");

    RecordingFilterContext response = RecordingFilterContext.request().response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation().get("after")).isEqualTo("ok");
    // and the budget is per call: the next runaway is stopped again
    failingRequest(filter, RecordingFilterContext.request());
  }

  @Test
  void scriptPastItsBudgetWithOnErrorContinuePassesTheMessageOn() {
    Filter filter =
        create(Map.of("source", d().script(d().loopForever(), null), "budget", "5ms", "on_error", "continue"));
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(assertTimeoutPreemptively(NEVER_HANGS, () -> filter.onRequest(context))).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.replies()).isEmpty();
    assertThat(context.logs()).anySatisfy(line -> assertThat(line.message()).contains("budget of 5ms"));
  }

  @Test
  void replyWithAnUnknownErrorTypeIsAScriptError() {
    Filter filter = inline(d().script(call("reply", str("nope"), str("x")), null));
    assertThat(failingRequest(filter, RecordingFilterContext.request()))
        .startsWith("<inline>:")
        .contains("unknown error type 'nope'")
        .contains("unauthorized");
  }

  @Test
  void failureAfterAReplyKeepsTheReply() {
    Filter filter = inline(d().script(lines(call("reply", str("unauthorized"), str("no")), d().raise("later")), null));
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.UNAUTHORIZED, "no"));
    assertThat(context.logs()).anySatisfy(line -> assertThat(line.message()).contains("later"));
  }

  @TestFactory
  Stream<DynamicTest> sandboxKeepsScriptsIn() {
    return d().sandboxEscapes().stream()
        .map(
            escape ->
                DynamicTest.dynamicTest(
                    escape,
                    () -> {
                      Filter filter = inline(d().script(lines(escape, call("set", str("escaped"), str("yes"))), null));
                      RecordingFilterContext context = RecordingFilterContext.request();
                      failingRequest(filter, context);
                      assertThat(context.mutation().get("escaped")).isNull();
                    }));
  }

  // ---- settings ---------------------------------------------------------------------------------------------------

  @Test
  void unknownSettingIsRejectedByName() {
    assertThatThrownBy(() -> create(Map.of("source", d().script(call("resume"), null), "colour", "blue")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'colour'");
  }

  @Test
  void exactlyOneOfFileAndSource() {
    write("filters/x." + d().fileExtension(), d().script(call("resume"), null));
    assertThatThrownBy(() -> create(Map.of("source", "x", "file", "filters/x." + d().fileExtension())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file");
    assertThatThrownBy(() -> create(Map.of("on_error", "reply")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file: required");
  }

  @Test
  void badOnErrorAndBudgetAreRejectedByName() {
    String script = d().script(call("resume"), null);
    assertThatThrownBy(() -> create(Map.of("source", script, "on_error", "ignore")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("on_error:");
    assertThatThrownBy(() -> create(Map.of("source", script, "budget", "fast")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("budget:");
    assertThatThrownBy(() -> create(Map.of("source", script, "budget", "0ms")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("budget:");
  }

  @Test
  void missingFileIsRejectedWithItsPath() {
    assertThatThrownBy(() -> create(Map.of("file", "filters/absent." + d().fileExtension())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("file:")
        .hasMessageContaining("absent." + d().fileExtension());
  }

  @Test
  void compileErrorNamesFileAndLine() {
    String name = "filters/broken." + d().fileExtension();
    assertThatThrownBy(() -> fromFile(name, d().syntaxErrorOnLine3(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(name + ":3:");
  }

  // ---- reload and the compile cache -----------------------------------------------------------------------------

  @Test
  void reloadReadsTheFileAgainAndOldFiltersKeepTheirVersion() {
    String name = "filters/reloaded." + d().fileExtension();
    Filter before = fromFile(name, d().script(call("set", str("version"), str("v1")), null), Map.of());
    Filter after = fromFile(name, d().script(call("set", str("version"), str("v2")), null), Map.of());

    RecordingFilterContext old = RecordingFilterContext.request();
    before.onRequest(old);
    assertThat(old.mutation().get("version")).isEqualTo("v1");
    before.close();
    RecordingFilterContext current = RecordingFilterContext.request();
    after.onRequest(current);
    assertThat(current.mutation().get("version")).isEqualTo("v2");
  }

  @Test
  void oneVersionOfAScriptIsCompiledOnceForAllEventLoops() {
    String name = "filters/shared." + d().fileExtension();
    write(name, d().script(call("set", str("k"), str("v")), null));
    long before = compilations();
    for (int loop = 0; loop < 4; loop++) {
      create(Map.of("file", name));
    }
    assertThat(compilations() - before).isEqualTo(1);
  }

  private static int lineOf(String script, String marker) {
    String[] lines = script.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(marker)) {
        return i + 1;
      }
    }
    throw new AssertionError(marker + " not in " + script);
  }
}
