package io.metaproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.metaproxy.demo.GreetingClient;
import io.metaproxy.demo.GreetingClient.Reply;
import io.metaproxy.demo.GreetingServiceImpl;
import io.metaproxy.demo.Person;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.dubbo.rpc.RpcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dubbo through the proxy: a real Dubbo 3 consumer, the distribution's proxy as a process, real Dubbo providers
 * greet-v1 and greet-v2. One proxy and one consumer serve the whole class; every route below is reached only by the
 * test that is about it.
 */
@ExtendWith({SharedBackends.class, ShowProxyLogOnFailure.class})
class DubboProxyIT {
  /** Long on purpose: errors the proxy answers must arrive well before it. */
  private static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(10);
  /** How soon an error reply must arrive: a behaviour bound (answered, not timed out), not a performance figure. */
  private static final Duration ERROR_REPLY_BOUND = Duration.ofSeconds(3);

  private static int listenerPort;
  private static ProxyProcess proxy;
  private static GreetingClient client;

  @BeforeAll
  static void startProxyAndConsumer() {
    listenerPort = FreePorts.next();
    proxy = ProxyProcess.start("DubboProxyIT", """
        listeners:
          - name: dubbo-in
            address: 127.0.0.1:%d
            protocol: dubbo
            route_config:
              routes:
                - name: canary
                  match: { metadata: [ { name: x-canary, present: true } ] }
                  route: { cluster: greet-v2 }
                - name: goodbye
                  match:
                    metadata:
                      - { name: interface, exact: io.metaproxy.demo.GreetingService }
                      - { name: method, exact: sayGoodbye }
                  route: { cluster: greet-v2 }
                - name: split
                  match: { metadata: [ { name: x-split, present: true } ] }
                  route:
                    weighted_clusters: [ { name: greet-v1, weight: 80 }, { name: greet-v2, weight: 20 } ]
                - name: down
                  match: { metadata: [ { name: x-target, exact: down } ] }
                  route: { cluster: greet-down }
                # requests carrying x-lost match no route at all
                - name: default
                  match: { metadata: [ { name: x-lost, present: false } ] }
                  route: { cluster: greet-v1 }
                  request_mutation: [ { key: x-routed-by, value: metaproxy } ]
                  response_mutation: [ { key: x-served-by, value: metaproxy-it } ]
        """.formatted(listenerPort) + SharedBackends.clustersYaml());
    client = GreetingClient.connect("127.0.0.1", listenerPort, CONSUMER_TIMEOUT);
  }

  @AfterAll
  static void stop() {
    try {
      if (client != null) {
        client.close();
      }
      if (proxy != null) {
        proxy.assertNoLeaksReported();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  @Test
  void callSucceedsThroughTheProxy() {
    Reply hello = client.call(Map.of(), s -> s.sayHello("alice"));
    assertThat(hello.greeting().getMessage()).isEqualTo("Hello, alice!");
    assertThat(hello.greeting().getServedBy()).isEqualTo("greet-v1");

    // a POJO argument and a POJO answer pass through untouched
    Reply pojo = client.call(Map.of(), s -> s.greet(new Person("chloé", "fr")));
    assertThat(pojo.greeting().getMessage()).isEqualTo("Bonjour, chloé!");
  }

  @Test
  void routesByMethod() {
    assertThat(client.call(Map.of(), s -> s.sayGoodbye("bob")).greeting().getServedBy()).isEqualTo("greet-v2");
    assertThat(client.call(Map.of(), s -> s.sayHello("bob")).greeting().getServedBy()).isEqualTo("greet-v1");
  }

  @Test
  void routesByAttachment() {
    Reply canary = client.call(Map.of("x-canary", "1"), s -> s.sayHello("carol"));
    assertThat(canary.greeting().getServedBy()).isEqualTo("greet-v2");
    // the attachment the route matched on still reaches the backend
    assertThat(canary.greeting().getAttachmentsSeen()).containsEntry("x-canary", "1");
    assertThat(client.call(Map.of(), s -> s.sayHello("carol")).greeting().getServedBy()).isEqualTo("greet-v1");
  }

  /** 80/20 over 2,000 calls: greet-v2's share must be within 5 points of 20% (5.6 standard deviations). */
  @Test
  void splitsByWeight() throws Exception {
    int calls = 2000;
    Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    // a few threads on the one connection: Dubbo multiplexes, and so does the proxy
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        done.add(threads.submit(() -> {
          String backend = client.call(Map.of("x-split", "yes"), s -> s.sayHello("dave")).greeting().getServedBy();
          servedBy.computeIfAbsent(backend, b -> new AtomicInteger()).incrementAndGet();
        }));
      }
      for (Future<?> call : done) {
        call.get();
      }
    }
    assertThat(servedBy.keySet()).containsExactlyInAnyOrder("greet-v1", "greet-v2");
    assertThat(servedBy.get("greet-v1").get() + servedBy.get("greet-v2").get()).isEqualTo(calls);
    double v2Share = servedBy.get("greet-v2").get() / (double) calls;
    assertThat(v2Share).as("greet-v2's share of %d calls (%s)", calls, servedBy).isBetween(0.15, 0.25);
  }

  @Test
  void mutationsReachTheProviderAndTheConsumer() {
    Reply reply = client.call(Map.of(GreetingServiceImpl.REQUEST_ID, "it-42"), s -> s.sayHello("erin"));
    // request_mutation: an attachment the consumer never sent, seen by the provider
    assertThat(reply.greeting().getAttachmentsSeen())
        .containsEntry("x-routed-by", "metaproxy")
        .containsEntry(GreetingServiceImpl.REQUEST_ID, "it-42");
    // response_mutation: an attachment the provider never set, seen by the consumer; the provider's own survive
    assertThat(reply.attachments())
        .containsEntry("x-served-by", "metaproxy-it")
        .containsEntry(GreetingServiceImpl.BACKEND, "greet-v1")
        .containsEntry(GreetingServiceImpl.REQUEST_ID, "it-42");
  }

  @Test
  void routeNotFoundReachesTheConsumerQuickly() {
    RpcException failure = timedFailure(Map.of("x-lost", "true"));
    assertThat(cause(failure)).contains("route_not_found");
  }

  @Test
  void upstreamDownReachesTheConsumerQuickly() {
    RpcException failure = timedFailure(Map.of("x-target", "down"));
    // connection refused: upstream_failure; an endpoint already known to be down: no_healthy_upstream
    assertThat(cause(failure)).containsPattern("upstream_failure|no_healthy_upstream");
  }

  /** A garbage frame closes its own connection; the consumer's connection and new ones keep working. */
  @Test
  void garbageFrameClosesOnlyItsConnection() throws Exception {
    assertThat(client.call(Map.of(), s -> s.sayHello("frank")).greeting().getServedBy()).isEqualTo("greet-v1");
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress("127.0.0.1", listenerPort), 2000);
      raw.setSoTimeout(10_000);
      OutputStream out = raw.getOutputStream();
      out.write("this is not a dubbo frame, not even close!\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readsUntilClosed(raw.getInputStream())).as("the proxy closed the garbage connection").isTrue();
    }
    assertThat(client.call(Map.of(), s -> s.sayHello("frank")).greeting().getServedBy()).isEqualTo("greet-v1");
    try (GreetingClient another = GreetingClient.connect("127.0.0.1", listenerPort, CONSUMER_TIMEOUT)) {
      assertThat(another.call(Map.of(), s -> s.sayGoodbye("frank")).greeting().getServedBy()).isEqualTo("greet-v2");
    }
    assertThat(proxy.isAlive()).isTrue();
  }

  /** Makes a call that must fail, and checks it failed with an RpcException well before the consumer's timeout. */
  private static RpcException timedFailure(Map<String, String> attachments) {
    long started = System.nanoTime();
    RpcException failure =
        catchThrowableOfType(RpcException.class, () -> client.call(attachments, s -> s.sayHello("gina")));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(failure).as("the call must fail with an RpcException").isNotNull();
    assertThat(failure.isTimeout()).as("answered by the proxy, not timed out: %s", failure.getMessage()).isFalse();
    assertThat(took).as("time to the error reply").isLessThan(ERROR_REPLY_BOUND);
    return failure;
  }

  /**
   * The reason part of Dubbo's message ("Failed to invoke remote method: ..., provider: dubbo://..., cause: WHY"),
   * so that assertions do not match words in the provider URL.
   */
  private static String cause(RpcException failure) {
    String message = String.valueOf(failure.getMessage());
    int cause = message.lastIndexOf("cause: ");
    return cause < 0 ? message : message.substring(cause + "cause: ".length());
  }

  /** Reads (and drops) whatever the peer sends until it closes; false if it is still open after the timeout. */
  private static boolean readsUntilClosed(InputStream in) throws IOException {
    byte[] buffer = new byte[1024];
    try {
      while (in.read(buffer) >= 0) {
        // an error reply before the close is fine
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true; // closed with unread input: RST instead of FIN
    }
  }
}
