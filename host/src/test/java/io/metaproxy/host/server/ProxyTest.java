package io.metaproxy.host.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.host.admin.ReloadResult;
import io.metaproxy.host.testing.TestBackend;
import io.metaproxy.host.testing.TestClient;
import io.metaproxy.host.testing.TestCodec;
import io.metaproxy.host.testing.TestCodec.Frame;
import io.metaproxy.host.testing.TestFilterFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message path end to end inside one JVM: a real proxy (two event loops) between plain-socket clients and real
 * Netty backends, speaking the test protocol of {@link TestCodec}. The Dubbo, Thrift and Bolt plugins are tested the
 * same way with their real libraries in their own modules and in it/.
 */
class ProxyTest {
  static TestBackend alpha;
  static TestBackend beta;
  @TempDir Path dir;
  Path configFile;
  Proxy proxy;

  @BeforeAll
  static void backends() throws Exception {
    alpha = new TestBackend("alpha");
    beta = new TestBackend("beta");
  }

  @AfterAll
  static void stopBackends() {
    alpha.close();
    beta.close();
  }

  @BeforeEach
  void start() throws Exception {
    configFile = dir.resolve("proxy.yaml");
    Files.writeString(configFile, config(""));
    proxy = Proxy.start(configFile, 2);
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  private String config(String extraRoutes) {
    return """
        admin: { address: 127.0.0.1:0 }
        plugins: { dir: plugins }
        listeners:
          - name: test-in
            address: 127.0.0.1:0
            protocol: test
            max_frame_size: 4096
            filters:
              - name: test_filter
                config: { tag: f1 }
              - name: test_filter
                config: { tag: f2 }
            route_config:
              name: test-routes
              routes:
        %s
                - name: to-alpha
                  match:
                    metadata:
                      - { name: method, exact: alpha }
                  route: { cluster: alpha }
                  request_mutation: [ { key: x-routed-by, value: metaproxy } ]
                  response_mutation: [ { key: x-served-via, value: to-alpha } ]
                - name: slow
                  match:
                    metadata:
                      - { name: method, prefix: slow }
                  route: { cluster: alpha, timeout: 300ms }
                - name: alpha-unmutated
                  match:
                    metadata:
                      - { name: method, exact: alpha-unmutated }
                  route: { cluster: alpha }
                - name: down
                  match:
                    metadata:
                      - { name: method, exact: down }
                  route: { cluster: nowhere }
                - name: default
                  match:
                    metadata:
                      - { name: method, present: true }
                  route: { cluster: beta }
        clusters:
          - name: alpha
            endpoints: [ %s ]
          - name: beta
            endpoints: [ %s ]
          - name: nowhere
            endpoints: [ 127.0.0.1:1 ]
        """.formatted(extraRoutes, alpha.address(), beta.address());
  }

  private int port() {
    return proxy.listenerAddress("test-in").getPort();
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void routesByMetadataAndKeepsTheClientsRequestId() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame toAlpha = client.call(41, headers("method", "alpha"), "hello");
      Frame toBeta = client.call(42, headers("method", "other"), "world");
      assertThat(toAlpha.type()).isEqualTo(TestCodec.RESPONSE);
      assertThat(toAlpha.id()).isEqualTo(41);
      assertThat(toAlpha.headers()).containsEntry("served-by", "alpha");
      assertThat(toAlpha.body()).isEqualTo("hello");
      assertThat(toBeta.id()).isEqualTo(42);
      assertThat(toBeta.headers()).containsEntry("served-by", "beta");
    }
  }

  @Test
  void routeMutationsReachBackendAndClient() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(1, headers("method", "alpha"), "");
      assertThat(response.headers()).containsEntry("seen-x-routed-by", "metaproxy");
      assertThat(response.headers()).containsEntry("x-served-via", "to-alpha");
    }
  }

  @Test
  void filtersRunInOrderOnRequestsAndInReverseOnResponses() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(7, headers("method", "alpha"), "");
      assertThat(response.headers()).containsEntry("seen-t-order", "f1,f2");
      assertThat(response.headers()).containsEntry("t-response-order", "f2,f1");
      assertThat(response.headers()).containsEntry("t-state", "alpha@test-in");
      assertThat(response.headers()).containsEntry("t-state-keys", "035null");
    }
  }

  @Test
  void filtersListTheKeysTheirMessageWillCarry() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(8, headers("method", "alpha", "t-keys", "1", "t-keys-drop", "x"), "");
      // f1 sees the request as decoded (no mutation yet), then its own changes; f2 starts from f1's changes
      assertThat(response.headers()).containsEntry("t-keys-f1",
          "method t-keys t-keys-drop | method t-keys t-order t-keys-new");
      assertThat(response.headers()).containsEntry("t-keys-f2",
          "method t-keys t-order t-keys-new | method t-keys t-order t-keys-new");
    }
  }

  @Test
  void aFilterReplyStopsTheChainWithTheProtocolsErrorReply() throws Exception {
    int before = alpha.received();
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(9, headers("method", "alpha", "t-reply", "unauthorized"), "");
      assertThat(response.type()).isEqualTo(TestCodec.ERROR);
      assertThat(response.id()).isEqualTo(9);
      assertThat(response.headers()).containsEntry("error", "unauthorized");
      assertThat(response.headers().get("message")).isEqualTo("rejected by f1");
    }
    assertThat(alpha.received()).isEqualTo(before);
  }

  @Test
  void aFilterThatThrowsFailsOnlyItsRequest() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame failed = client.call(3, headers("method", "alpha", "t-throw", "yes"), "");
      assertThat(failed.type()).isEqualTo(TestCodec.ERROR);
      assertThat(failed.headers().get("message")).contains("boom from f1");
      Frame next = client.call(4, headers("method", "alpha"), "");
      assertThat(next.headers()).containsEntry("served-by", "alpha");
    }
  }

  @Test
  void aPausedFilterResumesFromAnotherThread() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(5, headers("method", "alpha", "t-pause", "50"), "");
      assertThat(response.headers()).containsEntry("served-by", "alpha");
      assertThat(response.headers()).containsEntry("seen-t-order", "f1,f2");
    }
  }

  @Test
  void aFilterCanSetKeysThatRoutingMatchesAndOverrideTheCluster() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame rerouted = client.call(1, headers("method", "other", "t-set", "method=alpha"), "");
      assertThat(rerouted.headers()).containsEntry("served-by", "alpha");
      Frame overridden = client.call(2, headers("method", "alpha", "t-route", "beta"), "");
      assertThat(overridden.headers()).containsEntry("served-by", "beta");
    }
  }

  @Test
  void routeNotFoundAndUpstreamDownAreErrorRepliesNamingTheCause() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame noRoute = client.call(11, headers("path", "x"), "");
      assertThat(noRoute.type()).isEqualTo(TestCodec.ERROR);
      assertThat(noRoute.id()).isEqualTo(11);
      assertThat(noRoute.headers()).containsEntry("error", "route_not_found");
      long started = System.nanoTime();
      Frame down = client.call(12, headers("method", "down"), "");
      assertThat(down.headers()).containsEntry("error", "upstream_failure");
      assertThat(down.headers().get("message")).contains("127.0.0.1:1").contains("nowhere");
      assertThat(System.nanoTime() - started).as("no timeout wait").isLessThan(5_000_000_000L);
    }
  }

  @Test
  void aSlowUpstreamTimesOutWithATimeoutReply() throws Exception {
    try (TestClient client = new TestClient(port())) {
      Frame response = client.call(13, headers("method", "slow", "delay-ms", "3000"), "");
      assertThat(response.headers()).containsEntry("error", "timeout");
      assertThat(response.headers().get("message")).contains("300ms");
      Frame next = client.call(14, headers("method", "slow"), "");
      assertThat(next.headers()).containsEntry("served-by", "alpha");
    }
  }

  @Test
  void aShortTimeoutExpiresOnTimeBehindALongerOneInFlight() throws Exception {
    try (TestClient waiting = new TestClient(port()); TestClient client = new TestClient(port())) {
      // first a request under the default 15s timeout that the backend never answers, then one under 300ms
      waiting.send(new Frame(TestCodec.REQUEST, 1, headers("method", "alpha", "no-reply", "x"), ""));
      Thread.sleep(100);
      long started = System.nanoTime();
      Frame response = client.call(2, headers("method", "slow", "delay-ms", "5000"), "");
      assertThat(response.headers()).containsEntry("error", "timeout");
      assertThat(System.nanoTime() - started).as("expired near 300ms, not with the 15s one").isLessThan(3_000_000_000L);
    }
  }

  @Test
  void manyClientsShareFewUpstreamConnectionsAndEveryResponseReachesItsCaller() throws Exception {
    int connectionsBefore = beta.connectionsAccepted();
    eachClientConcurrently(20, clientNumber -> {
      try (TestClient client = new TestClient(port())) {
        for (int i = 0; i < 20; i++) {
          client.send(new Frame(TestCodec.REQUEST, i, headers("method", "other"), clientNumber + "/" + i));
        }
        for (int i = 0; i < 20; i++) {
          Frame response = client.receive();
          // Every client uses ids 0..19: the proxy must rewrite them upstream and restore them here.
          assertThat(response.body()).isEqualTo(clientNumber + "/" + response.id());
        }
      }
    });
    // multiplex, max_connections 1 per loop, 2 loops: at most 2 upstream connections for 20 clients
    assertThat(beta.connectionsAccepted() - connectionsBefore).isBetween(1, 2);
  }

  /**
   * The upstream connection lays frames end to end (FrameRun): copied unchanged ones, re-encoded ones, and, past the
   * run's limits, duplicates and buffers of their own. Pipelined bursts of all four kinds, interleaved on the same
   * multiplexed connections, must each reach the backend whole, in their own frame, with their own mutation only.
   */
  @Test
  void pipelinedMixOfUnchangedAndReEncodedFramesOfEverySizeArrivesIntact() throws Exception {
    int[] bodySizes = {0, 100, 1500, 2100, 3200}; // 2100: over the copy limit; 3200 re-encoded: over the run's frame limit
    eachClientConcurrently(8, clientNumber -> {
      try (TestClient client = new TestClient(port())) {
        int requests = 60;
        for (int i = 0; i < requests; i++) {
          // both to alpha, only "alpha" mutated; not the "slow" route, whose 300ms timeout a loaded CI machine can hit
          String method = i % 3 == 0 ? "alpha-unmutated" : "alpha";
          String body = (clientNumber + "/" + i + "/").repeat(1000).substring(0, bodySizes[i % bodySizes.length]);
          client.send(new Frame(TestCodec.REQUEST, i, headers("method", method), body));
        }
        for (int i = 0; i < requests; i++) {
          Frame response = client.receive();
          int id = (int) response.id();
          String expected = (clientNumber + "/" + id + "/").repeat(1000).substring(0, bodySizes[id % bodySizes.length]);
          assertThat(response.body()).as("body of request %d of client %d", id, clientNumber).isEqualTo(expected);
          assertThat(response.headers()).containsEntry("served-by", "alpha");
          if (id % 3 == 0) {
            assertThat(response.headers()).doesNotContainKey("seen-x-routed-by");
          } else {
            assertThat(response.headers()).containsEntry("seen-x-routed-by", "metaproxy");
          }
        }
      }
    });
  }

  /** What one of {@link #eachClientConcurrently}'s clients does; it fails by throwing (an assertion, say). */
  private interface ClientWork {
    void run(int clientNumber) throws Exception;
  }

  /** Runs {@code work} for clients 0 to {@code clients - 1}, all at once, and fails if any of them fails. */
  private static void eachClientConcurrently(int clients, ClientWork work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int clientNumber = c;
        results.add(pool.submit(() -> {
          work.run(clientNumber);
          return null;
        }));
      }
      for (Future<?> result : results) {
        result.get(); // rethrows a client's failure
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMalformedFrameClosesOnlyItsConnection() throws Exception {
    try (TestClient good = new TestClient(port()); TestClient bad = new TestClient(port())) {
      assertThat(good.call(1, headers("method", "alpha"), "").headers()).containsEntry("served-by", "alpha");
      bad.sendRaw(new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3});
      assertThat(bad.closedByPeer()).isTrue();
      assertThat(good.call(2, headers("method", "alpha"), "").headers()).containsEntry("served-by", "alpha");
    }
    assertThat(proxy.stats().scrapePrometheus()).contains("metaproxy_decode_errors_total{listener=\"test-in\"} 1");
  }

  @Test
  void bufferingPastMaxFrameSizeClosesTheConnection() throws Exception {
    try (TestClient client = new TestClient(port())) {
      // a frame header announcing 8000 bytes, then 4500 of them: more than max_frame_size (4096) is buffered
      // without a whole frame, so the proxy stops reading and closes rather than buffer without limit
      byte[] partial = new byte[4 + 4500];
      java.nio.ByteBuffer.wrap(partial).putInt(8000).put((byte) TestCodec.REQUEST).putLong(1).putShort((short) 0);
      client.sendRaw(partial);
      assertThat(client.closedByPeer()).isTrue();
    }
  }

  @Test
  void heartbeatsAreAnsweredByTheProxy() throws Exception {
    int before = alpha.received() + beta.received();
    try (TestClient client = new TestClient(port())) {
      client.send(new Frame(TestCodec.HEARTBEAT, 77, Map.of(), ""));
      Frame reply = client.receive();
      assertThat(reply.type()).isEqualTo(TestCodec.HEARTBEAT_REPLY);
      assertThat(reply.id()).isEqualTo(77);
    }
    assertThat(alpha.received() + beta.received()).isEqualTo(before);
  }

  @Test
  void reloadAppliesToOpenConnectionsAndRejectsInvalidFiles() throws Exception {
    int closedBefore = TestFilterFactory.CLOSED.get();
    try (TestClient client = new TestClient(port())) {
      assertThat(client.call(1, headers("method", "new"), "").headers()).containsEntry("served-by", "beta");

      Files.writeString(configFile, config("""
                  - name: new-route
                    match:
                      metadata:
                        - { name: method, exact: new }
                    route: { cluster: alpha }
          """));
      ReloadResult reloaded = proxy.reload();
      assertThat(reloaded.success()).as(reloaded.message()).isTrue();
      assertThat(client.call(2, headers("method", "new"), "").headers()).containsEntry("served-by", "alpha");

      Files.writeString(configFile, config("") + "\nbogus_key: 1\n");
      ReloadResult rejected = proxy.reload();
      assertThat(rejected.success()).isFalse();
      assertThat(rejected.message()).contains(configFile.toString()).contains("bogus_key");
      assertThat(client.call(3, headers("method", "new"), "").headers()).containsEntry("served-by", "alpha");
    }
    // the first snapshot's filters (2 per loop, 2 loops) are closed once it is retired and idle
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (TestFilterFactory.CLOSED.get() - closedBefore < 4 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(TestFilterFactory.CLOSED.get() - closedBefore).isGreaterThanOrEqualTo(4);
  }

  @Test
  void statsCountRequestsAndErrorsByType() throws Exception {
    try (TestClient client = new TestClient(port())) {
      client.call(1, headers("method", "alpha"), "");
      client.call(2, headers("path", "none"), "");
    }
    String scrape = proxy.stats().scrapePrometheus();
    assertThat(scrape).contains("metaproxy_requests_total{cluster=\"alpha\",listener=\"test-in\",route=\"to-alpha\"} 1");
    assertThat(scrape).contains("type=\"route_not_found\"");
    assertThat(scrape).contains("metaproxy_filter_counter_total");
  }
}
