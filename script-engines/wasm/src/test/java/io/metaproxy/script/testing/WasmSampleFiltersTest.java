package io.metaproxy.script.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.wasm.WasmFilterFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shared sample-filter behaviours, run against the checked-in C samples built for metaproxy's ABI ({@code
 * sample-filters/wasm/*.wasm}, built from the {@code .c} files beside them by {@code build.sh}).
 *
 * <p>In the contract's package only to adapt {@link #everySampleIsTested}: the WASM folder also holds the samples'
 * sources, the build script, the README and the proxy-wasm sample, so only the {@code .wasm} files at its top are
 * samples of this contract.
 */
class WasmSampleFiltersTest extends SampleFiltersContract {
  static final Path SAMPLES = Path.of("../../sample-filters/wasm");

  @Override
  protected FilterFactory factory() {
    return new WasmFilterFactory();
  }

  @Override
  protected Path samples() {
    return SAMPLES;
  }

  @Override
  protected String extension() {
    return "wasm";
  }

  @Test
  @Override
  void everySampleIsTested() throws Exception {
    try (var files = Files.list(samples())) {
      assertThat(files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".wasm")))
          .containsExactlyInAnyOrder("add_headers.wasm", "canary.wasm", "token_auth.wasm", "method_counter.wasm");
    }
    for (String sample : new String[] {"add_headers", "canary", "token_auth", "method_counter"}) {
      assertThat(samples().resolve(sample + ".c")).as("the source of %s.wasm", sample).isRegularFile();
    }
  }
}
