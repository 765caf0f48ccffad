package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rough cost per call of the samples, printed for people (no JMH, nothing asserted about time): the metaproxy-ABI
 * {@code add_headers} (C) and the proxy-wasm {@code header_check} (AssemblyScript SDK), request and response each.
 * {@code add_headers} reuses one request and one response context (it only overwrites the same keys), so its numbers
 * are the calls alone. {@code header_check} logs several lines per request, which the recording context would keep, so
 * it gets fresh contexts; making them is timed alone too, to be subtracted. Two cores shared with other work: expect
 * noise.
 */
class WasmTimingTest {
  private static final int WARMUP = 30_000;
  private static final int MEASURED = 100_000;

  @Test
  void printsNanosecondsPerCall() {
    try (Filter own =
            new WasmFilterFactory()
                .create(TestFilterConfig.of("wasm", Map.of("file", "add_headers.wasm", "budget", "5s"), Path.of("../../sample-filters/wasm")));
        Filter proxyWasm =
            new WasmFilterFactory()
                .create(
                    TestFilterConfig.of(
                        "wasm",
                        Map.of("file", "header_check.wasm", "root_id", "header_check", "budget", "5s"),
                        ProxyWasmFilterTest.SAMPLE))) {
      RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k1");
      RecordingFilterContext response = request.response();
      long first = System.nanoTime();
      own.onRequest(request);
      System.out.printf("wasm add_headers (metaproxy ABI, C): first call %.2f ms%n", (System.nanoTime() - first) / 1e6);
      first = System.nanoTime();
      proxyWasm.onRequest(request);
      proxyWasm.onResponse(response);
      System.out.printf("wasm header_check (proxy-wasm, AssemblyScript): first request+response %.2f ms%n", (System.nanoTime() - first) / 1e6);

      try (Filter noop =
          new WasmFilterFactory()
              .create(
                  TestFilterConfig.of(
                      "wasm",
                      Map.of("source", "(module (func (export \"on_request\") (result i32) (i32.const 0)))", "budget", "5s"),
                      Path.of(".")))) {
        measure("(engine overhead) empty on_request", noop, true, false, false);
      }
      measure("add_headers on_request", own, true, false, false);
      measure("add_headers on_request + on_response", own, true, true, false);
      measure("(baseline) making a request and a response context", null, false, false, true);
      measure("header_check request + response, fresh contexts (context create/done/delete)", proxyWasm, true, true, true);
    }
  }

  private static void measure(String name, Filter filter, boolean onRequest, boolean onResponse, boolean fresh) {
    RecordingFilterContext request = RecordingFilterContext.request().with("x-api-key", "k1");
    RecordingFilterContext response = request.response();
    for (int i = 0; i < WARMUP; i++) {
      run(filter, onRequest, onResponse, fresh, request, response);
    }
    long start = System.nanoTime();
    for (int i = 0; i < MEASURED; i++) {
      run(filter, onRequest, onResponse, fresh, request, response);
    }
    double nanos = (System.nanoTime() - start) / (double) MEASURED;
    System.out.printf("wasm %s: %.0f ns/call%n", name, nanos);
  }

  private static void run(
      Filter filter,
      boolean onRequest,
      boolean onResponse,
      boolean fresh,
      RecordingFilterContext reusedRequest,
      RecordingFilterContext reusedResponse) {
    RecordingFilterContext request = fresh ? RecordingFilterContext.request().with("x-api-key", "k1") : reusedRequest;
    RecordingFilterContext response = fresh ? request.response() : reusedResponse;
    if (onRequest) {
      assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    }
    if (onResponse) {
      assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    }
  }
}
