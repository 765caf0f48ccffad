package io.metaproxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.it.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The demo program end to end, minus the proxy: its "proxy" is greet-v1 itself, so every call must succeed and be
 * served by greet-v1. (With the real proxy in between, {@code DemoIT} checks the split.)
 */
class DemoMainTest {

  @Test
  void callsThroughTheGivenAddressAndPrintsWhoServedEachCall() {
    int v1 = FreePorts.next();
    int v2 = FreePorts.next();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    int status = DemoMain.run(
        new String[] {"--proxy", "127.0.0.1:" + v1, "--backend-ports", v1 + "," + v2, "--calls", "6"}, out);

    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(status).as(printed).isZero();
    assertThat(printed)
        .contains("summary: 6 calls, 0 failed")
        .containsPattern("all calls: +greet-v1 6/6 \\(100%\\)")
        .containsPattern("sayHello: +greet-v1 3/3 \\(100%\\)")
        .contains("greet(Person(\"chloé\", fr))")
        .doesNotContain("FAILED");
  }

  @Test
  void rejectsUnknownArguments() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    assertThat(DemoMain.run(new String[] {"--bogus", "1"}, new PrintStream(captured, true, StandardCharsets.UTF_8)))
        .isEqualTo(2);
  }
}
