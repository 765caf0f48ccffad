package io.metaproxy.host.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AdminClientTest {
  @Test
  void nothingListeningGivesAReadableMessageNamingTheAddress() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    assertThatThrownBy(() -> AdminClient.send("POST", "127.0.0.1", closedPort, "/reload"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("http://127.0.0.1:" + closedPort)
        .hasMessageContaining("nothing is listening");
  }

  @Test
  void ipv6LiteralsAreBracketed() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    // Whether or not the machine has IPv6, the message names the address the way a URL writes it.
    assertThatThrownBy(() -> AdminClient.send("GET", "::1", closedPort, "/ready"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("http://[::1]:" + closedPort);
  }

  @Test
  void aPathMustBeAbsolute() {
    assertThatThrownBy(() -> AdminClient.send("GET", "127.0.0.1", 9901, "ready"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void responseIsAValue() {
    assertThat(new AdminClient.Response(200, "LIVE")).isEqualTo(new AdminClient.Response(200, "LIVE"));
  }
}
