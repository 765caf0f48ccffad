package io.metaproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/metaproxy demo} as a newcomer runs it: the proxy on the shipped config, the sample backends and the
 * client. Uses the fixed ports of conf/metaproxy.yaml (20880-20882, admin 9901).
 */
class DemoIT {

  @Test
  void demoRoutesTrafficToBothBackendsAndSucceeds() {
    Cli.Result demo = Cli.run(Duration.ofMinutes(3), "demo");

    assertThat(demo.exitCode()).as("%s", demo).isZero();
    assertThat(demo.output())
        .as("%s", demo)
        .contains("greet-v1")
        .contains("greet-v2")
        .contains("0 failed");
  }
}
