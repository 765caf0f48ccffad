package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy-wasm ABI: the checked-in sample built with the AssemblyScript proxy-wasm SDK (the same code Envoy runs),
 * and a hand-written module for the parts of the ABI the sample does not use.
 */
class ProxyWasmFilterTest {
  static final Path SAMPLE = Path.of("../../sample-filters/wasm/proxy-wasm/header_check");

  private final List<Filter> filters = new ArrayList<>();

  @AfterEach
  void close() {
    filters.forEach(Filter::close);
  }

  private Filter create(Path base, Map<String, Object> settings) {
    Filter filter = new WasmFilterFactory().create(TestFilterConfig.of("wasm", settings, base));
    filters.add(filter);
    return filter;
  }

  private Filter headerCheck(Object... more) {
    // A relaxed budget: the first calls run before the JIT has compiled anything, and this machine's speed is no part
    // of what the sample does.
    Map<String, Object> settings =
        new HashMap<>(Map.of("file", "header_check.wasm", "root_id", "header_check", "budget", "5s"));
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    return create(SAMPLE, settings);
  }

  // ---- the AssemblyScript SDK sample ------------------------------------------------------------------------------

  @Test
  void theSdkSampleIsDetectedAsProxyWasm() {
    assertThat(headerCheck()).isInstanceOf(ProxyWasmFilter.class);
  }

  @Test
  void aRequestWithoutTheKeyIsRejectedWithA403AsUnauthorized() {
    Filter filter = headerCheck("config", "edge-1");
    RecordingFilterContext request = RecordingFilterContext.request().with("method", "sayHello");
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.STOP);
    assertThat(request.replies())
        .containsExactly(new RecordingFilterContext.Reply(ErrorType.UNAUTHORIZED, "x-api-key header required"));
    assertThat(request.counters()).containsExactly(Map.entry("header_check_rejected", 1L));
    assertThat(request.logs()).contains(new RecordingFilterContext.LogLine("info", "rejected: no x-api-key"));
    assertThat(request.mutation().isEmpty()).isTrue();

    RecordingFilterContext again = RecordingFilterContext.request();
    filter.onRequest(again);
    assertThat(again.counters()).containsExactly(Map.entry("header_check_rejected", 1L));
  }

  @Test
  void anAcceptedRequestGetsTheConfiguredHeaderAndItsResponseIsMarked() {
    Filter filter = headerCheck("config", "edge-1");
    RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k1");
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.replies()).isEmpty();
    assertThat(request.mutation().get("x-checked-by")).isEqualTo("edge-1");

    RecordingFilterContext response = request.response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation().get("x-filtered-by")).isEqualTo("proxy-wasm");
    assertThat(response.mutation().touches("x-checked-by")).as("the response's map is the response's").isFalse();
  }

  @Test
  void withoutConfigurationTheSampleUsesItsDefault() {
    RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k1");
    headerCheck().onRequest(request);
    assertThat(request.mutation().get("x-checked-by")).isEqualTo("proxy-wasm");
  }

  @Test
  void addingToAKeyThatExistsAppendsTheValue() {
    RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k1").with("x-checked-by", "lb");
    headerCheck().onRequest(request);
    assertThat(request.mutation().get("x-checked-by")).as("%s", request).isEqualTo("lb,proxy-wasm");
  }

  @Test
  void manyRequestsReuseOneInstance() {
    Filter filter = headerCheck();
    for (int i = 0; i < 2_000; i++) {
      RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k" + i);
      assertThat(filter.onRequest(request)).as("request %s: %s", i, request).isEqualTo(FilterStatus.CONTINUE);
      RecordingFilterContext response = request.response();
      assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(response.replies()).isEmpty();
    }
  }

  @Test
  void anUnknownRootIdFailsTheFilterWithTheSdksOwnMessage() {
    assertThatThrownBy(() -> headerCheck("root_id", "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("header_check.wasm: ")
        .hasMessageContaining("Missing root context factory for root id: nope");
  }

  // ---- the ABI in detail, with a hand-written module ------------------------------------------------------------------

  private static final String ABI_MODULE =
      """
      (module
        (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
        (import "env" "proxy_get_header_map_pairs" (func $get_pairs (param i32 i32 i32) (result i32)))
        (import "env" "proxy_set_header_map_pairs" (func $set_pairs (param i32 i32 i32) (result i32)))
        (import "env" "proxy_get_header_map_value" (func $get_value (param i32 i32 i32 i32 i32) (result i32)))
        (import "env" "proxy_get_property" (func $get_property (param i32 i32 i32 i32) (result i32)))
        (import "env" "proxy_replace_header_map_value" (func $replace (param i32 i32 i32 i32 i32) (result i32)))
        (import "env" "proxy_remove_header_map_value" (func $remove (param i32 i32 i32) (result i32)))
        (import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32)))
        (import "env" "proxy_send_local_response" (func $local_response (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
        (import "env" "proxy_http_call"
          (func $http_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (global $heap (mut i32) (i32.const 4096))
        (global $request_context (mut i32) (i32.const 0))
        (data (i32.const 300) "source\\00address")
        (data (i32.const 320) "x-peer")
        (data (i32.const 340) "x-same-context")
        (data (i32.const 360) "yes")
        (data (i32.const 380) "done")
        (data (i32.const 400) "x-config")
        (data (i32.const 420) "x-http-call")
        (data (i32.const 440) "unimplemented")
        (data (i32.const 460) "drop-me")
        (data (i32.const 480) "deny")
        (data (i32.const 500) "too many")
        (data (i32.const 520) "x-deny-seen")
        ;; result slots: 0/8 for data pointer and size, 200/208 for the configuration
        (func (export "proxy_on_memory_allocate") (param $n i32) (result i32) (local $p i32)
          (local.set $p (global.get $heap))
          (global.set $heap (i32.add (local.get $p) (local.get $n)))
          (local.get $p))
        (func (export "proxy_abi_version_0_2_1"))
        (func (export "proxy_on_context_create") (param i32 i32))
        (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
          (i32.eqz (call $get_buffer (i32.const 7) (i32.const 0) (local.get $size) (i32.const 200) (i32.const 208))))
        (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
          (global.set $request_context (local.get $id))
          ;; a request carrying "deny" is answered locally with 429
          (if (i32.eqz (call $get_value (i32.const 0) (i32.const 480) (i32.const 4) (i32.const 0) (i32.const 8)))
            (then
              (drop (call $local_response (i32.const 429) (i32.const 500) (i32.const 8) (i32.const 0) (i32.const 0)
                (i32.const 0) (i32.const 0) (i32.const 8)))
              (return (i32.const 1))))
          ;; the whole map, read and written back: the pairs format both ways
          (drop (call $get_pairs (i32.const 0) (i32.const 0) (i32.const 8)))
          (drop (call $set_pairs (i32.const 0) (i32.load (i32.const 0)) (i32.load (i32.const 8))))
          (drop (call $remove (i32.const 0) (i32.const 460) (i32.const 7)))
          (drop (call $get_property (i32.const 300) (i32.const 14) (i32.const 0) (i32.const 8)))
          (drop (call $replace (i32.const 0) (i32.const 320) (i32.const 6) (i32.load (i32.const 0)) (i32.load (i32.const 8))))
          (drop (call $replace (i32.const 0) (i32.const 400) (i32.const 8) (i32.load (i32.const 200)) (i32.load (i32.const 208))))
          (if (i32.eq (i32.const 12) (call $http_call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 16)))
            (then (drop (call $replace (i32.const 0) (i32.const 420) (i32.const 11) (i32.const 440) (i32.const 13)))))
          (i32.const 0))
        (func (export "proxy_on_response_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
          (if (i32.eq (local.get $id) (global.get $request_context))
            (then (drop (call $replace (i32.const 2) (i32.const 340) (i32.const 14) (i32.const 360) (i32.const 3)))))
          ;; the request's map is not there on the response path
          (if (i32.eq (call $get_value (i32.const 0) (i32.const 480) (i32.const 4) (i32.const 0) (i32.const 8)) (i32.const 1))
            (then (drop (call $replace (i32.const 2) (i32.const 520) (i32.const 11) (i32.const 360) (i32.const 3)))))
          (i32.const 0))
        (func (export "proxy_on_done") (param $id i32) (result i32)
          (drop (call $log (i32.const 2) (i32.const 380) (i32.const 4)))
          (i32.const 1)))
      """;

  private Filter abiModule(Path dir) {
    return create(dir, Map.of("source", ABI_MODULE, "config", "cfg-é", "budget", "5s"));
  }

  @Test
  void headerMapsPropertiesConfigurationAndStubsFollowTheAbi() {
    Filter filter = abiModule(Path.of("."));
    RecordingFilterContext request =
        RecordingFilterContext.request().with("a", "1").with("b", "é2").with("drop-me", "x");
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.mutation().get("a")).isEqualTo("1");
    assertThat(request.mutation().get("b")).as("pairs round-trip UTF-8").isEqualTo("é2");
    assertThat(request.mutation().touches("drop-me")).isTrue();
    assertThat(request.get("drop-me")).isNull();
    assertThat(request.mutation().get("x-peer")).as("property source.address").isEqualTo("127.0.0.1:50123");
    assertThat(request.mutation().get("x-config")).isEqualTo("cfg-é");
    assertThat(request.mutation().get("x-http-call")).isEqualTo("unimplemented");
    assertThat(request.logs()).anySatisfy(line -> assertThat(line.message()).contains("proxy_http_call is not implemented"));

    RecordingFilterContext response = request.response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation().get("x-same-context")).as("the response runs in the request's context").isEqualTo("yes");
    assertThat(response.mutation().get("x-deny-seen")).as("request map absent on the response path: NotFound").isEqualTo("yes");
    assertThat(response.logs()).contains(new RecordingFilterContext.LogLine("info", "done"));
  }

  @Test
  void aLocalResponseEndsTheRequestAndFinishesItsContextAtOnce() {
    Filter filter = abiModule(Path.of("."));
    RecordingFilterContext request = RecordingFilterContext.request().with("deny", "1");
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.STOP);
    assertThat(request.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.OVER_LIMIT, "too many"));
    assertThat(request.logs()).contains(new RecordingFilterContext.LogLine("info", "done"));
  }

  @Test
  void aOnewayRequestIsFinishedWithoutWaitingForAResponse() {
    Filter filter = abiModule(Path.of("."));
    RecordingFilterContext request = RecordingFilterContext.request().messageType(MessageType.ONEWAY);
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.logs()).contains(new RecordingFilterContext.LogLine("info", "done"));
  }

  /**
   * Every shape of value a header read hands the guest: short ASCII goes through the filter's scratch buffer, anything
   * else (non-ASCII, longer than it takes) is encoded on its own; both must arrive byte for byte, with the exact size
   * allocated, including the empty value (no allocation, pointer and size 0).
   */
  @Test
  void aHeaderValueOfAnyShapeReachesTheGuestAsItsUtf8() {
    String copying =
        """
        (module
          (import "env" "proxy_get_header_map_value" (func $get_value (param i32 i32 i32 i32 i32) (result i32)))
          (import "env" "proxy_replace_header_map_value" (func $replace (param i32 i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (global $heap (mut i32) (i32.const 4096))
          (data (i32.const 300) "v")
          (data (i32.const 320) "copy")
          (data (i32.const 340) "absent")
          (data (i32.const 360) "allocated")
          (func (export "proxy_on_memory_allocate") (param $n i32) (result i32) (local $p i32)
            (local.set $p (global.get $heap))
            (global.set $heap (i32.add (local.get $p) (local.get $n)))
            (local.get $p))
          (func (export "proxy_on_context_create") (param i32 i32))
          (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
            (local $before i32)
            (local.set $before (global.get $heap))
            (if (i32.eqz (call $get_value (i32.const 0) (i32.const 300) (i32.const 1) (i32.const 0) (i32.const 8)))
              (then
                (drop (call $replace (i32.const 0) (i32.const 320) (i32.const 4) (i32.load (i32.const 0)) (i32.load (i32.const 8))))
                ;; "allocated" is set when the bytes allocated are exactly the size returned
                (if (i32.eq (i32.sub (global.get $heap) (local.get $before)) (i32.load (i32.const 8)))
                  (then (drop (call $replace (i32.const 0) (i32.const 360) (i32.const 9) (i32.const 300) (i32.const 1))))))
              (else (drop (call $replace (i32.const 0) (i32.const 320) (i32.const 4) (i32.const 340) (i32.const 6)))))
            (i32.const 0)))
        """;
    Filter filter = create(Path.of("."), Map.of("source", copying, "budget", "5s"));
    int scratch = GuestStrings.MAX_SCRATCH_CHARS;
    List<String> values =
        List.of(
            "canary",
            "",
            "\u007f",
            "é-ü 中 \uD83D\uDE00",
            "\u0141", // not ASCII, though its low byte is 'A'
            "a".repeat(scratch),
            "b".repeat(scratch + 1),
            "c".repeat(scratch - 1) + "é",
            "short again");
    for (String value : values) {
      RecordingFilterContext request = RecordingFilterContext.request().with("v", value);
      assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(request.mutation().get("copy")).as("copy of a %d-char value", value.length()).isEqualTo(value);
      assertThat(request.mutation().get("allocated")).as("exact allocation for %d chars", value.length()).isEqualTo("v");
    }
    RecordingFilterContext without = RecordingFilterContext.request();
    filter.onRequest(without);
    assertThat(without.mutation().get("copy")).isEqualTo("absent");
  }

  @Test
  void pausingWithoutALocalResponseIsAScriptError() {
    String pausing =
        """
        (module
          (func (export "proxy_on_context_create") (param i32 i32))
          (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1)))
        """;
    Filter filter = create(Path.of("."), Map.of("source", pausing));
    RecordingFilterContext request = RecordingFilterContext.request();
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.STOP);
    assertThat(request.replies().get(0).error()).isEqualTo(ErrorType.SCRIPT_ERROR);
    assertThat(request.replies().get(0).message()).contains("cannot pause a message");
  }

  @Test
  void aPluginThatRejectsItsConfigurationFailsTheFilter() {
    String rejecting =
        """
        (module
          (func (export "proxy_on_context_create") (param i32 i32))
          (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 0)))
        """;
    assertThatThrownBy(() -> create(Path.of("."), Map.of("source", rejecting)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("<inline>: rejected its configuration (proxy_on_configure returned false)");
  }

  private static final String LOGGING_MODULE =
      """
      (module
        (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
        (import "env" "proxy_get_log_level" (func $level (param i32) (result i32)))
        (import "env" "proxy_replace_header_map_value" (func $replace (param i32 i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 100) "tdiw")
        (data (i32.const 110) "x-level")
        (data (i32.const 120) "012345")
        (func (export "proxy_on_context_create") (param i32 i32))
        (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
          ;; x-level: the digit of the level the host reports
          (drop (call $level (i32.const 0)))
          (drop (call $replace (i32.const 0) (i32.const 110) (i32.const 7)
            (i32.add (i32.const 120) (i32.load (i32.const 0))) (i32.const 1)))
          ;; one line at each of trace, debug, info, warn: "t", "d", "i", "w"
          (drop (call $log (i32.const 0) (i32.const 100) (i32.const 1)))
          (drop (call $log (i32.const 1) (i32.const 101) (i32.const 1)))
          (drop (call $log (i32.const 2) (i32.const 102) (i32.const 1)))
          (drop (call $log (i32.const 3) (i32.const 103) (i32.const 1)))
          (i32.const 0)))
      """;

  private List<String> loggedAt(String logLevel, String expectedReportedLevel) {
    Map<String, Object> settings = new HashMap<>(Map.of("source", LOGGING_MODULE, "budget", "5s"));
    if (logLevel != null) {
      settings.put("log_level", logLevel);
    }
    RecordingFilterContext request = RecordingFilterContext.request();
    assertThat(create(Path.of("."), settings).onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.mutation().get("x-level")).as("proxy_get_log_level").isEqualTo(expectedReportedLevel);
    return request.logs().stream().map(line -> line.level() + ":" + line.message()).toList();
  }

  @Test
  void logLevelIsWhatTheModuleIsToldAndTheLowestLevelProxyLogPassesOn() {
    assertThat(loggedAt(null, "2")).as("default: info").containsExactly("info:i", "warn:w");
    assertThat(loggedAt("debug", "1")).containsExactly("debug:d", "info:i", "warn:w");
    assertThat(loggedAt("trace", "0")).containsExactly("debug:t", "debug:d", "info:i", "warn:w");
    assertThat(loggedAt(" Warn ", "3")).containsExactly("warn:w");
    assertThatThrownBy(() -> loggedAt("loud", "-"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("log_level: expected one of trace, debug, info, warn, error, critical, got 'loud'");
  }

  @Test
  void aMessageBelowTheLogLevelIsNotReadButItsRangeIsStillChecked() {
    String badPointer =
        """
        (module
          (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "proxy_on_context_create") (param i32 i32))
          (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
            (drop (call $log (i32.const 1) (i32.const 65530) (i32.const 100)))
            (i32.const 0)))
        """;
    RecordingFilterContext request = RecordingFilterContext.request();
    assertThat(create(Path.of("."), Map.of("source", badPointer, "budget", "5s")).onRequest(request)).isEqualTo(FilterStatus.STOP);
    assertThat(request.replies().get(0).message())
        .isEqualTo(
            "<inline>: bad argument #2 to 'proxy_log' (memory range expected, got [65530, 65630) outside the 65536"
                + " bytes of linear memory)");
  }

  @Test
  void localResponseStatusesMapToErrorTypes() {
    assertThat(ProxyWasmFilter.errorType(401)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(ProxyWasmFilter.errorType(403)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(ProxyWasmFilter.errorType(429)).isEqualTo(ErrorType.OVER_LIMIT);
    assertThat(ProxyWasmFilter.errorType(404)).isEqualTo(ErrorType.ROUTE_NOT_FOUND);
    assertThat(ProxyWasmFilter.errorType(503)).isEqualTo(ErrorType.NO_HEALTHY_UPSTREAM);
    assertThat(ProxyWasmFilter.errorType(504)).isEqualTo(ErrorType.TIMEOUT);
    assertThat(ProxyWasmFilter.errorType(400)).isEqualTo(ErrorType.BAD_REQUEST);
    assertThat(ProxyWasmFilter.errorType(500)).isEqualTo(ErrorType.UNSPECIFIED);
  }

  @Test
  void pairsSerializeAsTheAbiSpecifies() {
    byte[] bytes = ProxyWasmFilter.serializePairs(List.of("k", "key2"), List.of("v1", ""));
    // count, then (key size, value size) per pair, then key NUL value NUL per pair; little-endian
    assertThat(bytes)
        .containsExactly(
            2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 'k', 0, 'v', '1', 0, 'k', 'e', 'y', '2', 0, 0);
    assertThat(ProxyWasmFilter.deserializePairs(bytes)).containsExactly(Map.entry("k", "v1"), Map.entry("key2", ""));
    assertThat(ProxyWasmFilter.deserializePairs(new byte[] {9, 0, 0, 0, 1})).isNull();
  }

  @Test
  void aContextIdReadsBackFromTheTextItWasStoredAsAndAnythingElseIsNoContext() {
    for (int id : new int[] {2, 9, 10, 12_345, 1_000_000_007, Integer.MAX_VALUE}) {
      assertThat(ProxyWasmFilter.parseContextId(Integer.toString(id))).isEqualTo(id);
    }
    for (String tag : new String[] {null, "", "-5", "+5", "12a", " 1", "2147483648", "99999999999", "\u0663"}) {
      assertThat(ProxyWasmFilter.parseContextId(tag)).as("'%s'", tag).isEqualTo(-1);
    }
  }
}
