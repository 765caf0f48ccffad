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
 * Contexts are made outside the timed region where possible; the numbers include the recording context's own work.
 */
class WasmTimingTest {
  private static final int WARMUP = 50_000;
  private static final int MEASURED = 200_000;

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

      measure("add_headers on_request", own, request, response, true, false);
      measure("add_headers on_request + on_response", own, request, response, true, true);
      measure("header_check request + response (context create/done/delete)", proxyWasm, request, response, true, true);
    }
  }

  private static void measure(
      String name, Filter filter, RecordingFilterContext request, RecordingFilterContext response, boolean onRequest, boolean onResponse) {
    for (int i = 0; i < WARMUP; i++) {
      run(filter, request, response, onRequest, onResponse);
    }
    long start = System.nanoTime();
    for (int i = 0; i < MEASURED; i++) {
      run(filter, request, response, onRequest, onResponse);
    }
    double nanos = (System.nanoTime() - start) / (double) MEASURED;
    System.out.printf("wasm %s: %.0f ns/call%n", name, nanos);
  }

  private static void run(
      Filter filter, RecordingFilterContext request, RecordingFilterContext response, boolean onRequest, boolean onResponse) {
    if (onRequest) {
      assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    }
    if (onResponse) {
      assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    }
  }
}
