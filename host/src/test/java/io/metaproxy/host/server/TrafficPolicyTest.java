package io.metaproxy.host.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.host.testing.TestBackend;
import io.metaproxy.host.testing.TestClient;
import io.metaproxy.host.testing.TestCodec;
import io.metaproxy.host.testing.TestCodec.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load balancing by hash, mirroring, retries, outlier detection and ping-pong pools, through a real proxy. */
class TrafficPolicyTest {
  @TempDir Path dir;
  TestBackend one;
  TestBackend two;
  TestBackend three;
  TestBackend shadow;
  Proxy proxy;

  @BeforeEach
  void start() throws Exception {
    one = new TestBackend("one");
    two = new TestBackend("two");
    three = new TestBackend("three");
    shadow = new TestBackend("shadow");
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(config, """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: in
            address: 127.0.0.1:0
            protocol: test
            route_config:
              routes:
                - name: hashed
                  match: { metadata: [ { name: method, exact: hashed } ] }
                  route: { cluster: ring, hash_policy: [ user-id ] }
                - name: maglev
                  match: { metadata: [ { name: method, exact: maglev } ] }
                  route: { cluster: maglev, hash_policy: [ user-id ] }
                - name: mirrored
                  match: { metadata: [ { name: method, exact: mirrored } ] }
                  route: { cluster: single, mirror: { cluster: shadow, fraction: 1 } }
                - name: retried
                  match: { metadata: [ { name: method, exact: retried } ] }
                  route: { cluster: half-dead, retry: { attempts: 1, on: [ connect_failure ] } }
                - name: ejecting
                  match: { metadata: [ { name: method, exact: ejecting } ] }
                  route: { cluster: outliers }
                - name: checked
                  match: { metadata: [ { name: method, exact: checked } ] }
                  route: { cluster: health-checked }
                - name: serial
                  match: { metadata: [ { name: method, exact: serial } ] }
                  route: { cluster: pingpong }
        clusters:
          - { name: ring, lb_policy: ring_hash, endpoints: [ %1$s, %2$s, %3$s ] }
          - { name: maglev, lb_policy: maglev, endpoints: [ %1$s, %2$s, %3$s ] }
          - { name: single, endpoints: [ %1$s ] }
          - { name: shadow, endpoints: [ %4$s ] }
          - { name: half-dead, endpoints: [ 127.0.0.1:1, %2$s ] }
          - name: outliers
            endpoints: [ 127.0.0.1:1, %3$s ]
            outlier_detection: { consecutive_errors: 2, base_ejection_time: 60s }
          - name: health-checked
            endpoints: [ 127.0.0.1:1, %2$s ]
            health_check: { interval: 100ms, timeout: 200ms }
          - name: pingpong
            endpoints: [ %1$s ]
            connection_pool: { mode: ping_pong, max_connections: 2 }
        """.formatted(one.address(), two.address(), three.address(), shadow.address()));
    proxy = Proxy.start(config, 1);
  }

  @AfterEach
  void stop() {
    proxy.close();
    one.close();
    two.close();
    three.close();
    shadow.close();
  }

  private TestClient client() throws Exception {
    return new TestClient(proxy.listenerAddress("in").getPort());
  }

  @Test
  void ringHashAndMaglevSendTheSameKeyToTheSameEndpointAndSpreadKeys() throws Exception {
    for (String method : new String[] {"hashed", "maglev"}) {
      Map<String, String> firstChoice = new HashMap<>();
      Set<String> used = new HashSet<>();
      try (TestClient client = client()) {
        for (int round = 0; round < 3; round++) {
          for (int user = 0; user < 30; user++) {
            Frame response = client.call(user, Map.of("method", method, "user-id", "user-" + user), "");
            String servedBy = response.headers().get("served-by");
            assertThat(servedBy).isNotNull();
            String previous = firstChoice.putIfAbsent("user-" + user, servedBy);
            assertThat(previous == null ? servedBy : previous).as(method + " user-" + user).isEqualTo(servedBy);
            used.add(servedBy);
          }
        }
      }
      assertThat(used).as(method + " spreads 30 keys over the endpoints").hasSize(3);
    }
  }

  @Test
  void mirroredRequestsReachTheShadowClusterAndTheClientSeesOnlyTheMainResponse() throws Exception {
    try (TestClient client = client()) {
      Frame response = client.call(5, Map.of("method", "mirrored", "k", "v"), "payload");
      assertThat(response.headers()).containsEntry("served-by", "one");
    }
    Frame copy = shadow.next();
    assertThat(copy).isNotNull();
    assertThat(copy.headers()).containsEntry("k", "v");
    assertThat(copy.body()).isEqualTo("payload");
  }

  @Test
  void connectFailuresAreRetriedOnAnotherEndpoint() throws Exception {
    try (TestClient client = client()) {
      for (int i = 0; i < 6; i++) {
        Frame response = client.call(i, Map.of("method", "retried"), "");
        assertThat(response.type()).as("request " + i).isEqualTo(TestCodec.RESPONSE);
        assertThat(response.headers()).containsEntry("served-by", "two");
      }
    }
  }

  @Test
  void outlierDetectionEjectsAnEndpointThatKeepsFailing() throws Exception {
    int failures = 0;
    try (TestClient client = client()) {
      for (int i = 0; i < 8; i++) {
        Frame response = client.call(i, Map.of("method", "ejecting"), "");
        if (response.type() == TestCodec.ERROR) {
          failures++;
        }
      }
      for (int i = 0; i < 6; i++) {
        Frame response = client.call(100 + i, Map.of("method", "ejecting"), "");
        assertThat(response.headers()).as("after ejection").containsEntry("served-by", "three");
      }
    }
    assertThat(failures).as("failures before the dead endpoint was ejected").isBetween(1, 2);
  }

  @Test
  void healthChecksKeepRequestsAwayFromADeadEndpoint() throws Exception {
    Thread.sleep(400); // a few probe rounds
    try (TestClient client = client()) {
      for (int i = 0; i < 6; i++) {
        Frame response = client.call(i, Map.of("method", "checked"), "");
        assertThat(response.headers()).as("request " + i).containsEntry("served-by", "two");
      }
    }
  }

  @Test
  void pingPongPoolsCarryOneRequestPerConnection() throws Exception {
    int before = one.connectionsAccepted();
    try (TestClient a = client(); TestClient b = client(); TestClient c = client()) {
      for (TestClient client : new TestClient[] {a, b, c}) {
        client.send(new Frame(TestCodec.REQUEST, 9, Map.of("method", "serial", "delay-ms", "100"), "x"));
      }
      for (TestClient client : new TestClient[] {a, b, c}) {
        Frame response = client.receive();
        assertThat(response.id()).isEqualTo(9);
        assertThat(response.headers()).containsEntry("served-by", "one");
      }
    }
    // three concurrent requests, max_connections 2: two connections, the third request waited for one
    assertThat(one.connectionsAccepted() - before).isEqualTo(2);
  }
}
