package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the WASM engine does beyond the shared contract: compiled code, the budget and its watchdog, failure
 * recovery, linking, and the settings of its own. Modules are WebAssembly text, compiled by the engine's optional
 * wabt support.
 */
class WasmFilterTest {
  private static final Duration NEVER_HANGS = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<Filter> filters = new ArrayList<>();

  @AfterEach
  void close() {
    filters.forEach(Filter::close);
  }

  private Filter create(Map<String, Object> settings) {
    Filter filter = new WasmFilterFactory().create(TestFilterConfig.of("wasm", settings, dir));
    filters.add(filter);
    return filter;
  }

  /**
   * A filter from inline WAT. The budget is relaxed unless a test sets one: this machine's stalls (GC, JIT, other
   * work on two cores) are no part of what those tests check.
   */
  private Filter inline(String wat, Object... more) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("source", wat);
    settings.put("budget", "5s");
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    return create(settings);
  }

  private static String module(String body) {
    return "(module\n"
        + "  (import \"metaproxy\" \"set\" (func $set (param i32 i32 i32 i32)))\n"
        + "  (import \"metaproxy\" \"reply\" (func $reply (param i32 i32 i32 i32) (result i32)))\n"
        + "  (import \"metaproxy\" \"now\" (func $now (result i64)))\n"
        + "  (memory (export \"memory\") 1)\n"
        + "  (global $calls (mut i32) (i32.const 0))\n"
        + "  (data (i32.const 0) \"0123456789\")\n"
        + "  (data (i32.const 16) \"calls\")\n"
        + "  (data (i32.const 32) \"after\")\n"
        + "  (data (i32.const 48) \"ok\")\n"
        + "  ;; on_response sets calls to the digit of how many calls this instance has had (mod 10)\n"
        + "  (func (export \"on_response\") (result i32)\n"
        + "    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
        + "    (call $set (i32.const 16) (i32.const 5) (i32.rem_u (global.get $calls) (i32.const 10)) (i32.const 1))\n"
        + "    (i32.const 0))\n"
        + body
        + ")\n";
  }

  private static String onRequest(String instructions) {
    return "  (func (export \"on_request\") (result i32)\n"
        + "    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
        + instructions
        + "\n    (i32.const 0))\n";
  }

  private static String scriptError(Filter filter, RecordingFilterContext context) {
    FilterStatus status = assertTimeoutPreemptively(NEVER_HANGS, () -> filter.onRequest(context));
    assertThat(status).isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).hasSize(1);
    assertThat(context.replies().get(0).error()).isEqualTo(ErrorType.SCRIPT_ERROR);
    return context.replies().get(0).message();
  }

  private String responseCalls(Filter filter) {
    RecordingFilterContext response = RecordingFilterContext.request().response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    return response.mutation().get("calls");
  }

  // ---- compiled, not interpreted ----------------------------------------------------------------------------------

  @Test
  void modulesRunAsCompiledJvmBytecodeNotInTheInterpreter() {
    WasmFilter filter = (WasmFilter) inline(module(onRequest("")));
    Machine machine = filter.instance().getMachine();
    assertThat(machine).isNotInstanceOf(InterpreterMachine.class);
    assertThat(machine.getClass().getName()).contains("CompiledMachine");
  }

  // ---- the budget ---------------------------------------------------------------------------------------------------

  @Test
  void anEndlessLoopIsStoppedAfterItsBudgetAndTheNextCallGetsAFreshInstance() {
    Filter filter = inline(module(onRequest("    (loop $forever (br $forever))")), "budget", "200ms");
    assertThat(responseCalls(filter)).isEqualTo("1");

    long start = System.nanoTime();
    String message = scriptError(filter, RecordingFilterContext.request());
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("endless loop with budget 200ms stopped after %d ms%n", elapsedMillis);
    assertThat(message).isEqualTo("<inline>: exceeded its budget of 200ms");
    assertThat(elapsedMillis).as("not stopped before its budget").isGreaterThanOrEqualTo(200);
    assertThat(Thread.currentThread().isInterrupted()).as("no interrupt leaks to the caller's thread").isFalse();

    // the runaway instance was discarded: the next call works, in a fresh instance whose globals start again
    assertThat(responseCalls(filter)).isEqualTo("1");
    assertThat(responseCalls(filter)).isEqualTo("2");
    // and the budget is per call
    scriptError(filter, RecordingFilterContext.request());
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aLoopThatKeepsCallingTheHostIsStoppedToo() {
    Filter filter = inline(module(onRequest("    (loop $forever (drop (call $now)) (br $forever))")), "budget", "100ms");
    assertThat(scriptError(filter, RecordingFilterContext.request())).contains("exceeded its budget of 100ms");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(responseCalls(filter)).isEqualTo("1");
  }

  /**
   * {@code get} writes a value of any shape (short ASCII through the filter's scratch buffer, anything else encoded on
   * its own) byte for byte, and one that does not fit the guest's buffer not at all, returning its length either way.
   */
  @Test
  void getWritesAValueOfAnyShapeAsItsUtf8OrNothingWhenItDoesNotFit() {
    String copying =
        """
        (module
          (import "metaproxy" "get" (func $get (param i32 i32 i32 i32) (result i32)))
          (import "metaproxy" "set" (func $set (param i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "v")
          (data (i32.const 16) "copy")
          (data (i32.const 32) "big")
          (data (i32.const 64) "zzzz")
          (data (i32.const 80) "untouched")
          (func (export "on_request") (result i32) (local $n i32)
            ;; into a 3-byte buffer: a longer value is not written, and its length comes back all the same
            (local.set $n (call $get (i32.const 0) (i32.const 1) (i32.const 64) (i32.const 3)))
            (if (i32.gt_s (local.get $n) (i32.const 3))
              (then (call $set (i32.const 80) (i32.const 9) (i32.const 64) (i32.const 4))))
            (local.set $n (call $get (i32.const 0) (i32.const 1) (i32.const 1024) (i32.const 400)))
            (if (i32.gt_s (local.get $n) (i32.const 400))
              (then (call $set (i32.const 16) (i32.const 4) (i32.const 32) (i32.const 3)))
              (else (call $set (i32.const 16) (i32.const 4) (i32.const 1024) (local.get $n))))
            (i32.const 0))
          (func (export "on_response") (result i32) (i32.const 0)))
        """;
    Filter filter = inline(copying);
    int scratch = GuestStrings.MAX_SCRATCH_CHARS;
    for (String value :
        List.of("canary", "", "é-ü 中", "a".repeat(scratch), "b".repeat(scratch + 1), "c".repeat(300) + "é", "ok")) {
      RecordingFilterContext request = RecordingFilterContext.request().with("v", value);
      assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(request.mutation().get("copy")).as("copy of a %d-char value", value.length()).isEqualTo(value);
      assertThat(request.mutation().get("untouched"))
          .as("the 3-byte buffer after a %d-char value", value.length())
          .isEqualTo(value.length() > 3 ? "zzzz" : null);
    }
    RecordingFilterContext tooBig = RecordingFilterContext.request().with("v", "d".repeat(401));
    filter.onRequest(tooBig);
    assertThat(tooBig.mutation().get("copy")).isEqualTo("big");
  }

  @Test
  void keysReachTheHostAsInternedStrings() {
    // so that the Metadata finds them by reference, as it finds the codecs' literal keys
    String wat = "(module\n"
        + "  (import \"metaproxy\" \"get\" (func $get (param i32 i32 i32 i32) (result i32)))\n"
        + "  (import \"metaproxy\" \"set\" (func $set (param i32 i32 i32 i32)))\n"
        + "  (import \"metaproxy\" \"remove\" (func $remove (param i32 i32)))\n"
        + "  (memory (export \"memory\") 1)\n"
        + "  (data (i32.const 0) \"interface\")\n"
        + "  (data (i32.const 16) \"x-seen\")\n"
        + "  (data (i32.const 32) \"x-gone\")\n"
        + "  (func (export \"on_request\") (result i32)\n"
        + "    (drop (call $get (i32.const 0) (i32.const 9) (i32.const 256) (i32.const 64)))\n"
        + "    (call $set (i32.const 16) (i32.const 6) (i32.const 256) (i32.const 3))\n"
        + "    (call $remove (i32.const 32) (i32.const 6))\n"
        + "    (i32.const 0)))\n";
    Filter filter = inline(wat);
    RecordingFilterContext context = RecordingFilterContext.request().with("interface", "org.example.Greeter");
    for (int call = 0; call < 2; call++) {
      assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    }
    List<String> literals = List.of("interface", "x-seen", "x-gone");
    assertThat(context.keysPassed()).hasSize(6);
    for (int i = 0; i < 6; i++) {
      assertThat(context.keysPassed().get(i)).isSameAs(literals.get(i % 3));
    }
    assertThat(context.mutation().get("x-seen")).isEqualTo("org");
  }

  @Test
  void aLoopThatKeepsLoggingIsStoppedWithoutAnInterruptEverReachingTheLogger() {
    // log may do I/O, so it runs in the guard's host state: the watchdog's interrupt lands in guest code or in a
    // compute-only host function (now), never while log runs
    String wat = "(module\n"
        + "  (import \"metaproxy\" \"log\" (func $log (param i32 i32 i32)))\n"
        + "  (import \"metaproxy\" \"now\" (func $now (result i64)))\n"
        + "  (memory (export \"memory\") 1)\n"
        + "  (data (i32.const 0) \"tick\")\n"
        + "  (func (export \"on_request\") (result i32)\n"
        + "    (loop $forever (call $log (i32.const 0) (i32.const 0) (i32.const 4)) (drop (call $now)) (br $forever))\n"
        + "    (i32.const 0)))\n";
    Filter filter = inline(wat, "budget", "100ms");
    for (int run = 0; run < 3; run++) {
      RecordingFilterContext context = RecordingFilterContext.request();
      assertThat(scriptError(filter, context)).contains("exceeded its budget of 100ms");
      assertThat(context.logs()).isNotEmpty();
      assertThat(context.logsWhileInterrupted()).isZero();
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  @Test
  void callsWithinTheBudgetAreNotDisturbedByTheWatchdog() {
    // many short calls under a small budget: the watchdog's ticks must never hit a call that is within its budget
    Filter filter = inline(module(onRequest("")), "budget", "50ms");
    for (int i = 0; i < 20_000; i++) {
      RecordingFilterContext context = RecordingFilterContext.request();
      assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    }
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  // ---- traps and failures -------------------------------------------------------------------------------------------

  @Test
  void aTrapIsAScriptErrorAndTheInstanceIsReplaced() {
    Filter filter = inline(module(onRequest("    unreachable")));
    assertThat(responseCalls(filter)).isEqualTo("1");
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(scriptError(filter, context)).startsWith("<inline>: wasm trap: ").containsIgnoringCase("unreachable");
    assertThat(context.logs()).anySatisfy(line -> assertThat(line.level()).isEqualTo("warn"));
    assertThat(responseCalls(filter)).as("a fresh instance after the trap").isEqualTo("1");
  }

  @Test
  void withOnErrorContinueATrapLetsTheMessageGoOnWithTheChangesMadeBeforeIt() {
    Filter filter =
        inline(
            module(onRequest("    (call $set (i32.const 32) (i32.const 5) (i32.const 48) (i32.const 2))\n    unreachable")),
            "on_error",
            "continue");
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.replies()).isEmpty();
    assertThat(context.mutation().get("after")).isEqualTo("ok");
    assertThat(context.logs()).anySatisfy(line -> assertThat(line.message()).contains("wasm trap"));
  }

  @Test
  void endlessRecursionIsAScriptError() {
    Filter filter = inline(module("  (func $down (call $down))\n" + onRequest("    (call $down)")), "budget", "5s");
    assertThat(scriptError(filter, RecordingFilterContext.request())).startsWith("<inline>: ");
    assertThat(responseCalls(filter)).isEqualTo("1");
  }

  @Test
  void returningStopWithoutAReplyIsAScriptError() {
    Filter filter =
        inline(
            "(module (func (export \"on_request\") (result i32) (i32.const 1))"
                + " (func (export \"on_response\") (result i32) (i32.const 7)))");
    assertThat(scriptError(filter, RecordingFilterContext.request()))
        .isEqualTo("<inline>: returned 1 (stop) without calling reply");
    RecordingFilterContext response = RecordingFilterContext.request().response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.STOP);
    assertThat(response.replies().get(0).message()).contains("returned 7; expected 0 (continue) or 1 (stop)");
  }

  @Test
  void returningTheReplysResultStops() {
    Filter filter =
        inline(
            module(
                "  (data (i32.const 64) \"over_limit\")\n"
                    + "  (func (export \"on_request\") (result i32)\n"
                    + "    (call $reply (i32.const 64) (i32.const 10) (i32.const 0) (i32.const 3)))\n"));
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(filter.onRequest(context)).isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.OVER_LIMIT, "012"));
  }

  // ---- loading ------------------------------------------------------------------------------------------------------

  @Test
  void aBadModuleFileIsRejectedNamingTheFile() throws Exception {
    Files.createDirectories(dir.resolve("filters"));
    Files.write(dir.resolve("filters/bad.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 42, 42, 42});
    assertThatThrownBy(() -> create(Map.of("file", "filters/bad.wasm")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("filters/bad.wasm: invalid module: ");
  }

  @Test
  void aModuleThatTrapsWhileStartingIsRejected() {
    assertThatThrownBy(() -> inline("(module (func $s unreachable) (start $s) (func (export \"on_request\")))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<inline>: wasm trap: ");
  }

  @Test
  void importsTheHostDoesNotHaveAreRejectedByName() {
    assertThatThrownBy(
            () -> inline("(module (import \"metaproxy\" \"get_all\" (func)) (func (export \"on_request\")))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("<inline>: imports metaproxy.get_all, which metaproxy does not provide");
    assertThatThrownBy(() -> inline("(module (import \"metaproxy\" \"now\" (func (result i32))) (func (export \"on_request\")))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imports metaproxy.now as")
        .hasMessageContaining("but metaproxy provides");
    assertThatThrownBy(() -> inline("(module (import \"env\" \"memory\" (memory 1)) (func (export \"on_request\")))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imports memory env.memory");
  }

  @Test
  void handlersMustHaveTheAbisType() {
    assertThatThrownBy(() -> inline("(module (func (export \"on_request\") (param i32)))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("on_request must be () -> i32");
  }

  @Test
  void memoryIsCappedPerInstance() {
    assertThatThrownBy(() -> inline("(module (memory 2000) (func (export \"on_request\")))"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 2000 pages");
    // growing past the cap fails in the guest (-1), as memory.grow is specified to
    Filter filter =
        inline(
            module(
                "  (data (i32.const 64) \"grown\")\n"
                    + onRequest(
                        "    (if (i32.eq (memory.grow (i32.const 2000)) (i32.const -1))"
                            + " (then (call $set (i32.const 64) (i32.const 5) (i32.const 48) (i32.const 2))))")));
    RecordingFilterContext context = RecordingFilterContext.request();
    filter.onRequest(context);
    assertThat(context.mutation().get("grown")).as("memory.grow(2000) returned -1").isEqualTo("ok");
  }

  @Test
  void wasiOutputBecomesLogLinesAndThereAreNoFiles() {
    String wat =
        """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "metaproxy" "set" (func $set (param i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "hello from wasm\\n")
          (data (i32.const 200) "/etc/passwd")
          (data (i32.const 300) "opened")
          (func (export "on_request") (result i32)
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 16))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            ;; no preopened directory: opening any path fails with EBADF for fd 3
            (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 0)
                  (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 16)))
              (then (call $set (i32.const 300) (i32.const 6) (i32.const 300) (i32.const 6))))
            (i32.const 0)))
        """;
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(inline(wat).onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.logs()).contains(new RecordingFilterContext.LogLine("info", "hello from wasm"));
    assertThat(context.mutation().touches("opened")).isFalse();
  }

  // ---- settings -----------------------------------------------------------------------------------------------------

  @Test
  void abiAndProxyWasmSettingsAreChecked() {
    String ownAbi = module(onRequest(""));
    assertThatThrownBy(() -> inline(ownAbi, "abi", "wasi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("abi: expected metaproxy or proxy-wasm");
    assertThatThrownBy(() -> inline(ownAbi, "abi", "proxy-wasm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not export proxy_on_context_create");
    assertThatThrownBy(() -> inline(ownAbi, "config", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("config: only proxy-wasm modules take it");
    assertThatThrownBy(() -> inline(ownAbi, "log_level", "debug"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("log_level: only proxy-wasm modules take it");
    assertThat(inline(ownAbi, "abi", "metaproxy", "watch", true)).isInstanceOf(MetaproxyAbiFilter.class);
  }
}
