package io.metaproxy.script.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lua-specific behaviour beyond the shared contract. */
class LuaFilterTest {
  @TempDir Path dir;
  private final List<Filter> filters = new ArrayList<>();

  @AfterEach
  void close() {
    filters.forEach(Filter::close);
  }

  private Filter lua(String source, Object... more) {
    Map<String, Object> settings = new java.util.HashMap<>();
    settings.put("source", source);
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    Filter filter = new LuaFilterFactory().create(TestFilterConfig.of("lua", settings, dir));
    filters.add(filter);
    return filter;
  }

  private static String scriptError(Filter filter) {
    RecordingFilterContext context = RecordingFilterContext.request();
    FilterStatus status = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> filter.onRequest(context));
    assertThat(status).isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).singleElement().satisfies(reply -> assertThat(reply.error()).isEqualTo(ErrorType.SCRIPT_ERROR));
    return context.replies().get(0).message();
  }

  @Test
  void keysReachTheHostAsInternedStrings() {
    // so that the Metadata finds them by reference, as it finds the codecs' literal keys
    RecordingFilterContext context = RecordingFilterContext.request().with("interface", "org.example.Greeter");
    Filter filter = lua("function on_request(ctx)\n  local k = 'met' .. 'hod'\n  ctx:set('x-seen', ctx:get('interface'))\n"
        + "  ctx:get(k)\n  ctx:remove('x-gone')\nend");
    for (int call = 0; call < 2; call++) {
      filter.onRequest(context);
    }
    List<String> literals = List.of("interface", "x-seen", "method", "x-gone");
    assertThat(context.keysPassed()).hasSize(8);
    for (int i = 0; i < 8; i++) {
      assertThat(context.keysPassed().get(i)).isSameAs(literals.get(i % 4));
    }
    assertThat(context.mutation().get("x-seen")).isEqualTo("org.example.Greeter");
  }

  @Test
  void pcallCannotOutliveTheBudget() {
    Filter filter =
        lua("function on_request(ctx)\n  while true do\n    pcall(function() while true do end end)\n  end\nend", "budget", "10ms");
    assertThat(scriptError(filter)).startsWith("<inline>:").contains("exceeded its budget of 10ms");
  }

  @Test
  void budgetErrorNamesTheLoopLine() {
    Filter filter = lua("function on_request(ctx)\n  local n = 0\n  while true do n = n + 1 end\nend", "budget", "5ms");
    assertThat(scriptError(filter)).isEqualTo("<inline>:3: exceeded its budget of 5ms");
  }

  @Test
  void pcallSeesTheUsualLuaMessageFormat() {
    RecordingFilterContext context = RecordingFilterContext.request();
    lua("function on_request(ctx)\n  local ok, err = pcall(function() error(\"x\") end)\n  ctx:set(\"err\", err)\n"
            + "  ok, err = pcall(function() ctx:reply(\"nope\", \"m\") end)\n  ctx:set(\"err2\", err)\nend")
        .onRequest(context);
    assertThat(context.mutation().get("err")).isEqualTo("<inline>:2: x");
    assertThat(context.mutation().get("err2")).startsWith("<inline>:4: unknown error type 'nope'");
    assertThat(context.replies()).isEmpty();
  }

  @Test
  void callingCtxWithADotSaysToUseAColon() {
    assertThat(scriptError(lua("function on_request(ctx)\n  ctx.get(\"method\")\nend")))
        .isEqualTo("<inline>:2: call ctx:get(...) with a colon");
  }

  @Test
  void ctxMethodsResolveThroughManyCallSitesAndUnknownNamesAreNil() {
    // More distinct name constants (two functions, 20+ call sites) than the userdata remembers by identity, called
    // repeatedly: every lookup must still find the right method, and an unknown name must stay nil.
    StringBuilder script = new StringBuilder("local function a(ctx)\n");
    for (String name : new String[] {"messageType", "requestId", "operation", "listener", "route", "cluster",
        "peerAddress", "now"}) {
      script.append("  assert(ctx:").append(name).append("() ~= false)\n");
    }
    script.append("  ctx:setState('k', ctx:get('method'))\n  ctx:count('m', 1)\n  ctx:log('debug', 'x')\nend\n")
        .append("function on_request(ctx)\n  for i = 1, 50 do a(ctx) end\n")
        .append("  ctx:set('got', ctx:get('method') .. '/' .. ctx:state('k') .. '/' .. tostring(ctx.nosuch))\n")
        .append("  ctx:remove('x-user')\n  ctx:set('keys', tostring(#ctx:keys() > 0))\nend\n");
    Filter filter = lua(script.toString());
    for (int i = 0; i < 3; i++) {
      RecordingFilterContext context = RecordingFilterContext.request().with("method", "sayHello" + i)
          .with("x-user", "u");
      assertThat(filter.onRequest(context)).as("%s", context.replies()).isEqualTo(FilterStatus.CONTINUE);
      assertThat(context.mutation().get("got")).isEqualTo(context.get("method") + "/" + context.get("method") + "/nil");
      assertThat(context.mutation().get("keys")).isEqualTo("true");
    }
  }

  @Test
  void ctxStaysReadOnlyAfterItsMethodsWereLookedUp() {
    assertThat(scriptError(lua("function on_request(ctx)\n  ctx:get('method')\n  ctx.get = nil\nend")))
        .startsWith("<inline>:3:").contains("ctx is read-only");
  }

  @Test
  void aTinyBudgetStillLetsAShortCallFinishAndStopsALoop() {
    // A budget so small that any clock read ends the call: a handler shorter than the first check still succeeds ...
    Filter shortCall = lua("function on_request(ctx) ctx:set('a', ctx:get('method')) end", "budget", "1ns");
    RecordingFilterContext context = RecordingFilterContext.request().with("method", "sayHello");
    assertThat(shortCall.onRequest(context)).as("%s", context.replies()).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.mutation().get("a")).isEqualTo(context.get("method"));
    // ... and a loop is still stopped once the clock has started.
    assertThat(scriptError(lua("function on_request(ctx)\n  for i = 1, 1e9 do end\nend", "budget", "1ns")))
        .isEqualTo("<inline>:2: exceeded its budget of 1ns");
  }

  @Test
  void runawayRecursionIsAScriptError() {
    assertThat(scriptError(lua("local function f(n) return 1 + f(n + 1) end\nfunction on_request(ctx) f(1) end", "budget", "5s")))
        .satisfiesAnyOf(m -> assertThat(m).contains("stack overflow"), m -> assertThat(m).contains("budget"));
  }

  @Test
  void oneScriptCannotChangeStringMethodsForAnother() {
    Filter vandal = lua("function on_request(ctx)\n  string.upper = nil\n  ctx:set(\"mt\", tostring(getmetatable(\"\")))\nend");
    Filter victim = lua("function on_request(ctx) ctx:set(\"up\", (\"x\"):upper()) end");
    RecordingFilterContext vandalised = RecordingFilterContext.request();
    vandal.onRequest(vandalised);
    assertThat(vandalised.mutation().get("mt")).isEqualTo("false");
    RecordingFilterContext context = RecordingFilterContext.request();
    victim.onRequest(context);
    assertThat(context.mutation().get("up")).isEqualTo("X");
  }

  @Test
  void topLevelThatNeverEndsFailsTheBuild() {
    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> lua("while true do end\nfunction on_request(ctx) end")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("<inline>:1: exceeded its budget of 50ms");
  }

  @Test
  void topLevelErrorAndNonFunctionHandlersFailTheBuild() {
    assertThatThrownBy(() -> lua("local t = nil\nlocal x = t.field\nfunction on_request(ctx) end"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<inline>:2: ");
    assertThatThrownBy(() -> lua("on_request = 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("<inline>: on_request must be a function, not a number");
  }

  @Test
  void keysIsAnArrayTableAndStandardLibrariesWork() {
    RecordingFilterContext context = RecordingFilterContext.request().with("a", "1").with("b", "2");
    lua("function on_request(ctx)\n  local keys = ctx:keys()\n  ctx:set(\"n\", #keys)\n  ctx:set(\"first\", keys[1])\n"
            + "  ctx:set(\"fmt\", string.format(\"%s-%d\", ctx:get(\"a\"), math.floor(2.7)))\n"
            + "  ctx:set(\"band\", bit32.band(6, 3))\nend")
        .onRequest(context);
    assertThat(context.mutation().get("n")).isEqualTo("2");
    assertThat(context.mutation().get("first")).isEqualTo("a");
    assertThat(context.mutation().get("fmt")).isEqualTo("1-2");
    assertThat(context.mutation().get("band")).isEqualTo("2");
  }
}
