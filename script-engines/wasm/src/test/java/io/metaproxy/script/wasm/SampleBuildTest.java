package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in C samples are what their sources build to. Runs only where clang with a wasm32-wasi sysroot is
 * installed (see {@code sample-filters/wasm/build.sh}); elsewhere it is skipped, as the tests use the checked-in files.
 */
class SampleBuildTest {
  private static final Path SAMPLES = Path.of("../../sample-filters/wasm");

  @TempDir Path out;

  @Test
  void checkedInSamplesMatchTheirSources() throws Exception {
    assumeTrue(clangBuilds(), "clang --target=wasm32-wasi is not installed");
    for (String sample : new String[] {"add_headers", "canary", "token_auth", "method_counter"}) {
      Path built = out.resolve(sample + ".wasm");
      assertThat(clang(SAMPLES.resolve(sample + ".c"), built)).as("clang %s.c", sample).isZero();
      assertThat(Files.readAllBytes(built))
          .as("%s.wasm is stale: run sample-filters/wasm/build.sh", sample)
          .isEqualTo(Files.readAllBytes(SAMPLES.resolve(sample + ".wasm")));
    }
  }

  private boolean clangBuilds() {
    try {
      Path probe = out.resolve("probe.c");
      Files.writeString(probe, "#include <string.h>\nint f(const char *s) { return (int) strlen(s); }\n");
      return clang(probe, out.resolve("probe.wasm")) == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static int clang(Path source, Path output) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                "clang", "--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror", "-mexec-model=reactor",
                "-o", output.toString(), source.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
