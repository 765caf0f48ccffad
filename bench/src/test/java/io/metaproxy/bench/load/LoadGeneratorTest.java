package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.bench.echo.EchoServer;
import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generator against the real echo server (and against a server that never answers), over loopback. */
class LoadGeneratorTest {
  private static final int CONNECTIONS = 4;

  @Test
  void closedLoopKeepsItsDepthAndEveryRequestIsAnswered() throws Exception {
    try (EchoServer echo = EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 256);
        LoadGenerator generator = LoadGenerator.connect(options(echo.port(), Duration.ofSeconds(5)))) {
      StepResult result = generator.run(Step.closed("closed", Duration.ofMillis(300), 2), line -> { });

      assertThat(result.ok()).isPositive();
      assertThat(result.sent()).isEqualTo(result.ok());
      assertThat(result.failures()).isZero();
      assertThat(result.unexpected()).isZero();
      assertThat(result.corrected().getTotalCount()).isEqualTo(result.ok());
      assertThat(result.raw().getTotalCount()).isEqualTo(result.ok());
      assertThat(result.okInWindow()).isPositive().isLessThanOrEqualTo(result.ok());
      assertThat(result.achievedRate()).isPositive();
      assertThat(generator.requestBytes()).isEqualTo(DubboProtocol.INSTANCE.request(shape()).length);
    }
  }

  @Test
  void openLoopSendsExactlyTheScheduleAndAStepAfterItStartsClean() throws Exception {
    try (EchoServer echo = EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 256);
        LoadGenerator generator = LoadGenerator.connect(options(echo.port(), Duration.ofSeconds(5)))) {
      for (int round = 0; round < 2; round++) {
        StepResult result = generator.run(Step.open("open", 2000, Duration.ofMillis(500)), line -> { });
        // 2000/s for 0.5 s over 4 staggered connections: 1000 intended times, each connection's count rounded up
        assertThat(result.sent()).isBetween(1000L, 1000L + CONNECTIONS);
        assertThat(result.ok()).isEqualTo(result.sent());
        assertThat(result.failures()).isZero();
        assertThat(result.unexpected()).isZero();
        assertThat(result.corrected().getTotalCount()).isEqualTo(result.ok());
      }
    }
  }

  @Test
  void requestsNobodyAnswersAreCountedAsTimeouts() throws Exception {
    try (SilentServer silent = new SilentServer();
        LoadGenerator generator = LoadGenerator.connect(
            new LoadGenerator.Options(DubboProtocol.INSTANCE, "127.0.0.1", silent.port(), CONNECTIONS, 1, shape(),
                16, Duration.ofSeconds(10), Duration.ofMillis(200)))) {
      StepResult result = generator.run(Step.open("open", 1000, Duration.ofMillis(300)), line -> { });
      // 300 intended requests; at most 16 per connection could be sent; all of them count as timeouts
      assertThat(result.ok()).isZero();
      assertThat(result.sent()).isEqualTo(CONNECTIONS * 16L);
      assertThat(result.timeouts()).isBetween(300L, 300L + CONNECTIONS);
      assertThat(result.corrected().getTotalCount()).isZero();
    }
  }

  @Test
  void aRefusedConnectionFailsFast() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    assertThatThrownBy(() -> LoadGenerator.connect(options(port, Duration.ofSeconds(1))))
        .isInstanceOf(IOException.class).hasMessageContaining("cannot connect");
  }

  private static RequestShape shape() {
    return RequestShape.echo(512);
  }

  private static LoadGenerator.Options options(int port, Duration timeout) {
    return new LoadGenerator.Options(DubboProtocol.INSTANCE, "127.0.0.1", port, CONNECTIONS, 2, shape(), 1024,
        timeout, Duration.ofSeconds(10));
  }

  /** Accepts connections and reads everything, answering nothing. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new ArrayList<>();
    private final Thread acceptor = new Thread(this::acceptLoop, "silent-server");

    SilentServer() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket client = socket.accept();
          synchronized (accepted) {
            accepted.add(client);
          }
          Thread reader = new Thread(() -> drain(client), "silent-reader");
          reader.setDaemon(true);
          reader.start();
        }
      } catch (IOException closed) {
        // the server socket was closed
      }
    }

    private static void drain(Socket client) {
      byte[] buffer = new byte[8192];
      try (InputStream in = client.getInputStream()) {
        while (in.read(buffer) >= 0) {
          // discard
        }
      } catch (IOException closed) {
        // done
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket client : accepted) {
          client.close();
        }
      }
    }
  }
}
