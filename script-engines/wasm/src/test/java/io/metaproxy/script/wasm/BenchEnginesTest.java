package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.script.ScriptSettings;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The WASM modules of bench/engines (the engine-cost benchmark and FilterChainBenchmark's wasm kinds) do the filter's
 * work in every ABI: read {@code interface} and {@code method}, set {@code x-engine} to the method, on the request
 * only; and the checked-in C modules are what their sources build to (where clang is installed).
 */
class BenchEnginesTest {
  private static final Path ENGINES = Path.of("../../bench/engines");

  @TempDir Path out;
  private final List<Filter> filters = new ArrayList<>();

  @AfterEach
  void close() {
    filters.forEach(Filter::close);
  }

  @ParameterizedTest
  @CsvSource({
    "engine.wasm, metaproxy, , MetaproxyAbiFilter",
    "engine-proxy-wasm-c.wasm, proxy-wasm, , ProxyWasmFilter",
    "engine-proxy-wasm-arena.wasm, proxy-wasm, , ProxyWasmFilter",
    "engine-proxy-wasm-context-only.wasm, proxy-wasm, , ProxyWasmFilter",
    "engine-proxy-wasm.wasm, proxy-wasm, engine, ProxyWasmFilter"
  })
  void eachModuleSetsXEngineToTheMethodWhenBothKeysArePresent(String file, String abi, String rootId, String type) {
    Map<String, Object> settings =
        rootId == null
            ? Map.of("file", file, "abi", abi, "budget", "5s")
            : Map.of("file", file, "abi", abi, "root_id", rootId, "budget", "5s");
    Filter filter = new WasmFilterFactory().create(TestFilterConfig.of("wasm", settings, ENGINES));
    filters.add(filter);
    assertThat(filter.getClass().getSimpleName()).isEqualTo(type);

    for (int i = 0; i < 300; i++) { // many requests: contexts are created and finished, host buffers freed
      RecordingFilterContext request =
          RecordingFilterContext.request().with("interface", "org.example.Echo").with("method", "echo" + i);
      assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(request.mutation().get("x-engine")).isEqualTo("echo" + i);
      RecordingFilterContext response = request.response();
      assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(response.mutation().isEmpty()).as("nothing on the response").isTrue();
      assertThat(response.replies()).isEmpty();
    }
    RecordingFilterContext noMethod = RecordingFilterContext.request().with("interface", "org.example.Echo");
    assertThat(filter.onRequest(noMethod)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(noMethod.mutation().touches("x-engine")).isFalse();
  }

  @Test
  void checkedInCModulesMatchTheirSources() throws Exception {
    assumeTrue(clang(List.of("-o", out.resolve("probe.wasm").toString(), probe().toString())) == 0,
        "clang --target=wasm32-wasi is not installed");
    // the flags of bench/engines/build.sh
    Path own = out.resolve("engine.wasm");
    String ownSource = ENGINES.resolve("engine.c").toString();
    assertThat(clang(List.of("-I", "../../sample-filters/wasm", "-o", own.toString(), ownSource))).isZero();
    assertThat(Files.readAllBytes(own))
        .as("engine.wasm is stale: run bench/engines/build.sh")
        .isEqualTo(Files.readAllBytes(ENGINES.resolve("engine.wasm")));
    String proxyWasmSource = ENGINES.resolve("engine-proxy-wasm.c").toString();
    Map<String, List<String>> variants =
        Map.of(
            "engine-proxy-wasm-c.wasm", List.of(),
            "engine-proxy-wasm-arena.wasm", List.of("-DENGINE_ARENA"),
            "engine-proxy-wasm-context-only.wasm", List.of("-DENGINE_ARENA", "-DENGINE_NO_STREAM_END"));
    for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
      Path built = out.resolve(variant.getKey());
      List<String> arguments = new ArrayList<>(List.of("-Wl,--strip-debug"));
      arguments.addAll(variant.getValue());
      arguments.addAll(List.of("-o", built.toString(), proxyWasmSource));
      assertThat(clang(arguments)).as(variant.getKey()).isZero();
      assertThat(Files.readAllBytes(built))
          .as(variant.getKey() + " is stale: run bench/engines/build.sh")
          .isEqualTo(Files.readAllBytes(ENGINES.resolve(variant.getKey())));
    }
  }

  @Test
  void onlyTheContextOnlyVariantLacksTheEndOfStreamCallbacks() {
    WasmProgram full = program("engine-proxy-wasm-c.wasm");
    WasmProgram arena = program("engine-proxy-wasm-arena.wasm");
    WasmProgram contextOnly = program("engine-proxy-wasm-context-only.wasm");
    List<String> streamEnd = List.of("proxy_on_done", "proxy_on_log", "proxy_on_delete");
    assertThat(full.exportedFunctions()).containsKeys(streamEnd.toArray(String[]::new));
    assertThat(arena.exportedFunctions()).containsKeys(streamEnd.toArray(String[]::new));
    assertThat(contextOnly.exportedFunctions()).doesNotContainKeys(streamEnd.toArray(String[]::new));
    // (that the arena starts afresh with each request, the 300 requests of the test above show: without that it
    // would run out after about a hundred, and x-engine would no longer be set)
  }

  private static WasmProgram program(String file) {
    return WasmProgram.load(ScriptSettings.parse(TestFilterConfig.of("wasm", Map.of("file", file), ENGINES)));
  }


  private Path probe() throws IOException {
    Path probe = out.resolve("probe.c");
    Files.writeString(probe, "#include <stdlib.h>\nvoid *f(size_t n) { return malloc(n); }\n");
    return probe;
  }

  private static int clang(List<String> arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(
        List.of("clang", "--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror", "-mexec-model=reactor"));
    command.addAll(arguments);
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      return -1; // no clang at all
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
