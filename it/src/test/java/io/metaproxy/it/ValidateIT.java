package io.metaproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/metaproxy validate}: the shipped default config passes; a bad file is reported as file:line: field. */
class ValidateIT {
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  /** The default config (conf/metaproxy.yaml, found without --config) loads, plugins included. */
  @Test
  void defaultConfigIsValid() {
    Cli.Result result = Cli.run(CLI_TIMEOUT, "validate");
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output()).contains("conf/metaproxy.yaml");
  }

  @Test
  void badFileIsReportedAsFileLineField(@TempDir Path folder) throws Exception {
    String yaml = Dist.header(FreePorts.next()) + """
        listeners:
          - name: dubbo-in
            address: 127.0.0.1:%d
            protocol: dubbo
            route_config:
              routes:
                - name: default
                  match: {}
                  route: { cluster: greet-v1, timeout: soon }
        clusters:
          - { name: greet-v1, endpoints: [ 127.0.0.1:%d ] }
        """.formatted(FreePorts.next(), FreePorts.next());
    Path file = folder.resolve("bad.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    int line = ReloadIT.lineOf(yaml, "timeout: soon");

    Cli.Result result = Cli.run(CLI_TIMEOUT, "validate", "--config", file.toString());

    assertThat(result.exitCode()).as("%s", result).isNotZero();
    assertThat(result.output()).contains(file + ":" + line + ": listeners[0].route_config.routes[0].route.timeout");
  }
}
