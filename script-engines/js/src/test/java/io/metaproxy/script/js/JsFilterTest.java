package io.metaproxy.script.js;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JavaScript-specific behaviour beyond the shared contract. */
class JsFilterTest {
  @TempDir Path dir;
  private final List<Filter> filters = new ArrayList<>();

  @AfterEach
  void close() {
    filters.forEach(Filter::close);
  }

  private Filter js(String source, Object... more) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("source", source);
    settings.put("budget", "5s");
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    Filter filter = new JsFilterFactory().create(TestFilterConfig.of("js", settings, dir));
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

  private String escape(String statement) {
    return scriptError(js("export function onRequest(ctx) {\n  " + statement + "\n}"));
  }

  @Test
  void sandboxEscapesFailBecauseTheThingIsNotThere() {
    assertThat(escape("Java.type('java.lang.System');")).isEqualTo("<inline>:2: ReferenceError: Java is not defined");
    assertThat(escape("Polyglot.eval('js', '1');")).isEqualTo("<inline>:2: ReferenceError: Polyglot is not defined");
    assertThat(escape("load('/etc/passwd');")).isEqualTo("<inline>:2: ReferenceError: load is not defined");
    assertThat(escape("console.log('x');")).isEqualTo("<inline>:2: ReferenceError: console is not defined");
    assertThat(escape("Atomics.wait(new Int32Array(4), 0, 0);")).isEqualTo("<inline>:2: ReferenceError: Atomics is not defined");
    assertThat(escape("eval('1');")).startsWith("<inline>").contains("EvalError: dynamic evaluation of code is disabled");
    assertThat(escape("ctx.getClass();")).startsWith("<inline>:2: TypeError:");
  }

  @Test
  void importingAnythingFailsTheBuild() {
    assertThatThrownBy(() -> js("import fs from 'fs';\nexport function onRequest(ctx) {}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<inline>");
    assertThatThrownBy(() -> js("import { x } from './other.mjs';\nexport function onRequest(ctx) {}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<inline>");
  }

  @Test
  void errorsFromCtxAreCatchableErrorsWithAMessage() {
    RecordingFilterContext context = RecordingFilterContext.request();
    js("""
        export function onRequest(ctx) {
          try { ctx.reply("nope", "x"); } catch (e) { ctx.set("err", e.message); ctx.set("isError", String(e instanceof Error)); }
        }
        """)
        .onRequest(context);
    assertThat(context.mutation().get("err")).startsWith("unknown error type 'nope'");
    assertThat(context.mutation().get("isError")).isEqualTo("true");
    assertThat(context.replies()).isEmpty();
  }

  @Test
  void uncaughtCtxErrorNamesTheLine() {
    assertThat(escape("ctx.set('k', true);")).isEqualTo("<inline>:2: bad argument #2 to 'set' (string expected, got boolean)");
  }

  @Test
  void keysIsAReadOnlyArray() {
    RecordingFilterContext context = RecordingFilterContext.request().with("a", "1").with("b", "2");
    js("""
        export function onRequest(ctx) {
          const keys = ctx.keys();
          ctx.set("isArray", String(Array.isArray(keys)));
          ctx.set("mapped", keys.map(k => k.toUpperCase()).join("+"));
          try { keys.push("c"); ctx.set("pushed", "yes"); } catch (e) { ctx.set("pushed", "no"); }
        }
        """)
        .onRequest(context);
    assertThat(context.mutation().get("isArray")).isEqualTo("true");
    assertThat(context.mutation().get("mapped")).isEqualTo("A+B");
    assertThat(context.mutation().get("pushed")).isEqualTo("no");
  }

  @Test
  void asyncHandlersRunToTheEndWithinTheCall() {
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(js("export async function onRequest(ctx) { await null; ctx.set('k', 'after await'); }").onRequest(context))
        .isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.mutation().get("k")).isEqualTo("after await");
  }

  @Test
  void plainReturnValuesAreIgnored() {
    for (String value : new String[] {"'done'", "42", "true", "ctx.reply('unauthorized', 'no')"}) {
      RecordingFilterContext context = RecordingFilterContext.request();
      FilterStatus status = js("export function onRequest(ctx) { ctx.set('k', 'v'); return " + value + "; }")
          .onRequest(context);
      assertThat(context.mutation().get("k")).as(value).isEqualTo("v");
      if (value.startsWith("ctx.reply")) {
        assertThat(status).isEqualTo(FilterStatus.STOP);
        assertThat(context.replies()).singleElement()
            .satisfies(reply -> assertThat(reply.error()).isEqualTo(ErrorType.UNAUTHORIZED));
      } else {
        assertThat(status).as(value).isEqualTo(FilterStatus.CONTINUE);
        assertThat(context.replies()).as(value).isEmpty();
      }
    }
  }

  @Test
  void anyThenableIsSettledAsAwaitWouldAndAnythingElseIgnored() {
    RecordingFilterContext settled = RecordingFilterContext.request();
    assertThat(js("export function onRequest(ctx) { return { then(ok) { ctx.set('then', 'ran'); ok(); } }; }")
        .onRequest(settled)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(settled.mutation().get("then")).isEqualTo("ran");

    assertThat(scriptError(js("export function onRequest(ctx) { return { then(ok, fail) { fail('no'); } }; }")))
        .isEqualTo("<inline>: rejected: no");
    assertThat(scriptError(js("export function onRequest(ctx) { return Promise.reject(7); }")))
        .isEqualTo("<inline>: rejected: 7");
    for (String value : new String[] {"{ then: 1 }", "() => 1", "null", "undefined"}) {
      RecordingFilterContext context = RecordingFilterContext.request();
      assertThat(js("export function onRequest(ctx) { ctx.set('k', 'v'); return " + value + "; }").onRequest(context))
          .as(value).isEqualTo(FilterStatus.CONTINUE);
      assertThat(context.mutation().get("k")).as(value).isEqualTo("v");
    }
  }

  @Test
  void aRejectedPromiseIsAFailureNotASilence() {
    assertThat(scriptError(js("export async function onRequest(ctx) {\n  await null;\n  throw new Error('late');\n}")))
        .isEqualTo("<inline>:3: Error: late");
    assertThat(scriptError(js("export function onRequest(ctx) { return new Promise(() => {}); }")))
        .isEqualTo("<inline>: onRequest returned a Promise that did not settle during the call");
  }

  @Test
  void budgetErrorNamesTheLoopLine() {
    Filter filter = js("export function onRequest(ctx) {\n  let n = 0;\n  for (;;) { n++; }\n}", "budget", "50ms");
    assertThat(scriptError(filter)).isEqualTo("<inline>:3: exceeded its budget of 50ms");
  }

  @Test
  void aRunawayCatchingTheInterruptIsStillStopped() {
    Filter filter =
        js("export function onRequest(ctx) {\n  for (;;) { try { for (;;) {} } catch (e) {} }\n}", "budget", "50ms");
    assertThat(scriptError(filter)).contains("exceeded its budget of 50ms");
  }

  @Test
  void topLevelThatNeverEndsFailsTheBuild() {
    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> js("for (;;) {}\nexport function onRequest(ctx) {}")))
        .isInstanceOf(IllegalArgumentException.class)
        // GraalJS reports no guest frame for an interrupted module top level, so there is no line to name
        .hasMessage("<inline>: exceeded its budget of 5s");
  }

  @Test
  void nonFunctionExportsAndLuaNamesAreRejected() {
    assertThatThrownBy(() -> js("export const onRequest = 5;"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("<inline>: export onRequest must be a function");
    assertThatThrownBy(() -> js("export function on_request(ctx) {}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exports neither onRequest(ctx) nor onResponse(ctx)");
  }

  @Test
  void syntaxErrorIsOneLine() {
    assertThatThrownBy(() -> js("export function onRequest(ctx) {\n  ctx.set('a' 'b');\n}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<inline>:2: SyntaxError: ")
        .hasMessageNotContaining("\n");
  }
}
