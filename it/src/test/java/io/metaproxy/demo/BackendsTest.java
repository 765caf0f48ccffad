package io.metaproxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.demo.Backends.Backend;
import io.metaproxy.demo.GreetingClient.Reply;
import io.metaproxy.it.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's Dubbo pieces without the proxy: real providers and a real consumer connected directly, so that the
 * integration tests and {@code bin/metaproxy demo} build on parts known to work.
 */
class BackendsTest {
  private static final String HOST = "127.0.0.1";
  private static Backends backends;
  private static int v1Port;
  private static int v2Port;

  @BeforeAll
  static void startBackends() {
    v1Port = FreePorts.next();
    v2Port = FreePorts.next();
    backends = Backends.start(HOST, List.of(new Backend("greet-v1", v1Port), new Backend("greet-v2", v2Port)));
  }

  @AfterAll
  static void stopBackends() {
    if (backends != null) {
      backends.close();
    }
  }

  @Test
  void eachBackendAnswersWithItsNameAndTheAttachmentsItSaw() {
    try (GreetingClient v1 = GreetingClient.connect(HOST, v1Port, Duration.ofSeconds(5));
        GreetingClient v2 = GreetingClient.connect(HOST, v2Port, Duration.ofSeconds(5))) {
      Reply reply = v1.call(Map.of("x-canary", "true", "x-request-id", "r-1"), s -> s.sayHello("alice"));
      assertThat(reply.greeting().getMessage()).isEqualTo("Hello, alice!");
      assertThat(reply.greeting().getServedBy()).isEqualTo("greet-v1");
      assertThat(reply.greeting().getAttachmentsSeen())
          .containsEntry("x-canary", "true")
          .containsEntry("x-request-id", "r-1");
      assertThat(reply.attachments())
          .containsEntry(GreetingServiceImpl.BACKEND, "greet-v1")
          .containsEntry(GreetingServiceImpl.REQUEST_ID, "r-1");

      Reply pojo = v2.call(Map.of(), s -> s.greet(new Person("chloé", "fr")));
      assertThat(pojo.greeting().getMessage()).isEqualTo("Bonjour, chloé!");
      assertThat(pojo.greeting().getServedBy()).isEqualTo("greet-v2");
      assertThat(pojo.greeting().getAttachmentsSeen()).isEmpty();
      assertThat(pojo.attachments()).containsEntry(GreetingServiceImpl.BACKEND, "greet-v2")
          .doesNotContainKey(GreetingServiceImpl.REQUEST_ID);
    }
  }

  @Test
  void attachmentsOfOneCallDoNotLeakIntoTheNext() {
    try (GreetingClient client = GreetingClient.connect(HOST, v1Port, Duration.ofSeconds(5))) {
      client.call(Map.of("x-canary", "true"), s -> s.sayGoodbye("bob"));
      Reply next = client.call(Map.of(), s -> s.sayGoodbye("bob"));
      assertThat(next.greeting().getMessage()).isEqualTo("Goodbye, bob.");
      assertThat(next.greeting().getAttachmentsSeen()).doesNotContainKey("x-canary");
    }
  }

  /**
   * The proxy's Dubbo codec reads Hessian2: the consumer must send Hessian2 (serialization id 2 in the low five bits
   * of the header's flag byte) even though Dubbo 3 may prefer fastjson2 elsewhere.
   */
  @Test
  void consumerSendsHessian2Frames() throws Exception {
    try (Relay relay = new Relay(v1Port);
        GreetingClient client = GreetingClient.connect(HOST, relay.port(), Duration.ofSeconds(5))) {
      assertThat(client.call(Map.of(), s -> s.sayHello("carol")).greeting().getServedBy()).isEqualTo("greet-v1");
      byte[] header = relay.firstClientBytes.get(5, TimeUnit.SECONDS);
      assertThat(header[0] & 0xff).as("magic high").isEqualTo(0xda);
      assertThat(header[1] & 0xff).as("magic low").isEqualTo(0xbb);
      assertThat(header[2] & 0x80).as("request flag").isEqualTo(0x80);
      assertThat(header[2] & 0x1f).as("serialization id (2 = hessian2)").isEqualTo(2);
    }
  }

  /** Forwards one TCP connection to a backend and records the first bytes the client sent. */
  private static final class Relay implements AutoCloseable {
    final CompletableFuture<byte[]> firstClientBytes = new CompletableFuture<>();
    private final ServerSocket server;
    private final int target;
    private volatile Socket downstream;
    private volatile Socket upstream;

    Relay(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      try {
        downstream = server.accept();
        upstream = new Socket(HOST, target);
        InputStream fromUpstream = upstream.getInputStream();
        OutputStream toDownstream = downstream.getOutputStream();
        Thread.ofVirtual().start(() -> pump(fromUpstream, toDownstream, false));
        pump(downstream.getInputStream(), upstream.getOutputStream(), true);
      } catch (IOException e) {
        firstClientBytes.completeExceptionally(e);
      }
    }

    private void pump(InputStream in, OutputStream out, boolean record) {
      byte[] buffer = new byte[8192];
      byte[] head = new byte[16];
      int headLength = 0;
      try (in; out) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          if (record && headLength < head.length) {
            int take = Math.min(n, head.length - headLength);
            System.arraycopy(buffer, 0, head, headLength, take);
            headLength += take;
            if (headLength == head.length) {
              firstClientBytes.complete(head);
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException closed) {
        // one side went away: the relay is done
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : new Socket[] {downstream, upstream}) {
        if (socket != null) {
          socket.close();
        }
      }
    }
  }
}
