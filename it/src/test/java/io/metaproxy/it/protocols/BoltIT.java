package io.metaproxy.it.protocols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alipay.remoting.Connection;
import com.alipay.remoting.rpc.RpcClient;
import com.alipay.remoting.rpc.exception.InvokeServerException;
import com.alipay.remoting.rpc.exception.RpcServerException;
import io.metaproxy.it.FreePorts;
import io.metaproxy.it.ProxyProcess;
import io.metaproxy.it.ShowProxyLogOnFailure;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SOFA Bolt through the proxy: real Bolt {@link RpcClient}s, the distribution's proxy as a process ({@code --threads
 * 1}, so that {@code max_connections} is exact), and three real Bolt {@code RpcServer}s: bolt-a (the default, whose
 * route adds header {@code x-routed-by}), bolt-b (header {@code x-tenant: beta}) and bolt-mux (service {@code
 * com.example.Mux:1.0}, behind a multiplexed pool of at most 2 connections). Requests carry their service, method
 * and baggage in Bolt's header map, as SOFA RPC sends them; each server's reply reports the header map it decoded.
 */
@ExtendWith(ShowProxyLogOnFailure.class)
class BoltIT {
  private static final String GREETER = "com.example.Greeter:1.0";
  private static final String MUX = "com.example.Mux:1.0";
  private static final String V1 = "";
  /** Bolt v2 with its CRC32 on (the v2 default): every byte the proxy rewrites must keep the CRC right. */
  private static final String V2_WITH_CRC = "?_PROTOCOL=2&_VERSION=2";
  /** Long on purpose: errors the proxy answers must arrive well before it. */
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final int CLIENTS = 50;
  private static final int CALLS_PER_CLIENT = 5;

  private static BoltGreetServer boltA;
  private static BoltGreetServer boltB;
  private static BoltGreetServer boltMux;
  private static int listenerPort;
  private static ProxyProcess proxy;
  // one client per protocol version: Bolt pools connections by ip:port, whatever the version asked for
  private static RpcClient clientV1;
  private static RpcClient clientV2;

  @BeforeAll
  static void startServersProxyAndClients() {
    boltA = new BoltGreetServer("bolt-a");
    boltB = new BoltGreetServer("bolt-b");
    boltMux = new BoltGreetServer("bolt-mux");
    listenerPort = FreePorts.next();
    proxy = ProxyProcess.start("BoltIT", """
        listeners:
          - name: bolt-in
            address: 127.0.0.1:%d
            protocol: bolt
            route_config:
              routes:
                - name: mux
                  match: { metadata: [ { name: service, exact: "%s" } ] }
                  route: { cluster: bolt-mux }
                - name: tenant-beta
                  match: { metadata: [ { name: x-tenant, exact: beta } ] }
                  route: { cluster: bolt-b }
                # requests carrying x-lost match no route at all
                - name: default
                  match: { metadata: [ { name: x-lost, present: false } ] }
                  route: { cluster: bolt-a }
                  request_mutation: [ { key: x-routed-by, value: metaproxy } ]
        clusters:
          - { name: bolt-a, endpoints: [ 127.0.0.1:%d ] }
          - { name: bolt-b, endpoints: [ 127.0.0.1:%d ] }
          - name: bolt-mux
            endpoints: [ 127.0.0.1:%d ]
            connection_pool: { mode: multiplex, max_connections: 2 }
        """.formatted(listenerPort, MUX, boltA.port(), boltB.port(), boltMux.port()), "--threads", "1");
    clientV1 = new RpcClient();
    clientV1.startup();
    clientV2 = new RpcClient();
    clientV2.startup();
  }

  @AfterAll
  static void stop() {
    try {
      for (RpcClient client : new RpcClient[] {clientV1, clientV2}) {
        if (client != null) {
          client.shutdown();
        }
      }
      if (proxy != null) {
        proxy.assertNoLeaksReported();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      for (BoltGreetServer server : new BoltGreetServer[] {boltA, boltB, boltMux}) {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void routesOnAHeaderAndTheServerSeesTheRequestMutation(String protocol) throws Exception {
    BoltGreeting.Reply plain = call(protocol, GREETER, "alice", Map.of("x-user", "alice"));
    assertThat(plain.server).isEqualTo("bolt-a");
    assertThat(plain.text).as("content travels untouched").isEqualTo("hello alice");
    assertThat(plain.headersSeen)
        .as("the header map bolt-a decoded")
        .containsEntry("x-routed-by", "metaproxy") // request_mutation: the client never sent it
        .containsEntry("x-user", "alice")
        .containsEntry("service", GREETER)
        .containsEntry("sofa_head_method_name", "sayHello");

    BoltGreeting.Reply beta = call(protocol, GREETER, "bob", Map.of("x-tenant", "beta"));
    assertThat(beta.server).as("routed on header x-tenant").isEqualTo("bolt-b");
    assertThat(beta.text).isEqualTo("hello bob");
    assertThat(beta.headersSeen)
        .containsEntry("x-tenant", "beta")
        .doesNotContainKey("x-routed-by"); // that route mutates nothing
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void routeNotFoundReachesTheClientAsTheCauseOfItsException(String protocol) {
    assertThatThrownBy(() -> call(protocol, GREETER, "carol", Map.of("x-lost", "yes")))
        .isInstanceOf(InvokeServerException.class)
        .cause()
        .isInstanceOf(RpcServerException.class)
        .hasMessageStartingWith("metaproxy: route_not_found");
    assertThat(List.of(boltA.greeted, boltB.greeted, boltMux.greeted))
        .as("no server saw the request")
        .noneMatch(greeted -> greeted.contains("carol"));
  }

  /**
   * 50 clients, each on a connection of its own (Bolt request ids count per client, so they collide upstream), call
   * at once through one endpoint pooled at 2 multiplexed connections. The server answers concurrently, so replies
   * come back in any order; each client must get exactly its own.
   */
  @Test
  void fiftyClientsShareTwoUpstreamConnections() throws Exception {
    int greetedBefore = boltMux.greeted.size();
    List<Connection> connections = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        connections.add(clientV1.createStandaloneConnection("127.0.0.1", listenerPort, TIMEOUT_MILLIS));
      }
      CyclicBarrier allReady = new CyclicBarrier(CLIENTS);
      List<Future<List<String>>> replies = new ArrayList<>();
      try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
        for (int c = 0; c < CLIENTS; c++) {
          int clientNumber = c;
          Connection connection = connections.get(c);
          replies.add(clients.submit(() -> {
            allReady.await(30, TimeUnit.SECONDS); // then all call at once
            List<String> got = new ArrayList<>();
            for (int call = 0; call < CALLS_PER_CLIENT; call++) {
              BoltGreeting.Reply reply = (BoltGreeting.Reply) clientV1.invokeSync(connection,
                  new BoltGreeting.Request(MUX, "sayHello", name(clientNumber, call), Map.of()), TIMEOUT_MILLIS);
              got.add(reply.server + " " + reply.text);
            }
            return got;
          }));
        }
        for (int c = 0; c < CLIENTS; c++) {
          List<String> expected = new ArrayList<>();
          for (int call = 0; call < CALLS_PER_CLIENT; call++) {
            expected.add("bolt-mux hello " + name(c, call));
          }
          assertThat(replies.get(c).get(60, TimeUnit.SECONDS)).as("client %d's replies", c).isEqualTo(expected);
        }
      }
    } finally {
      connections.forEach(clientV1::closeStandaloneConnection);
    }
    assertThat(boltMux.greeted.size() - greetedBefore).isEqualTo(CLIENTS * CALLS_PER_CLIENT);
    assertThat(boltMux.connectionsAccepted())
        .as("connections bolt-mux accepted from the proxy (max_connections: 2, one event loop)")
        .isBetween(1, 2);
  }

  /**
   * Bolt's client counts heartbeats that got no SUCCESS ack and resets the count on one that did. Pretend one went
   * unanswered, make the client send another: only the proxy's correct ack brings the count back to 0.
   */
  @Test
  void heartbeatIsAnswered() throws Exception {
    String address = address(V1);
    call(V1, GREETER, "dave", Map.of()); // the client's connection to the proxy exists
    Connection connection = clientV1.getConnection(address, TIMEOUT_MILLIS);
    connection.getChannel().attr(Connection.HEARTBEAT_COUNT).set(1);
    connection.getChannel().pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (connection.getChannel().attr(Connection.HEARTBEAT_COUNT).get() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(connection.getChannel().attr(Connection.HEARTBEAT_COUNT).get())
        .as("Bolt's count of unanswered heartbeats")
        .isZero();
    assertThat(connection.isFine()).isTrue();
    assertThat(call(V1, GREETER, "dave", Map.of()).text).isEqualTo("hello dave");
  }

  private static BoltGreeting.Reply call(String protocol, String service, String name, Map<String, String> baggage)
      throws Exception {
    RpcClient client = protocol.equals(V1) ? clientV1 : clientV2;
    return (BoltGreeting.Reply) client.invokeSync(address(protocol),
        new BoltGreeting.Request(service, "sayHello", name, baggage), TIMEOUT_MILLIS);
  }

  private static String address(String protocol) {
    return "127.0.0.1:" + listenerPort + protocol;
  }

  private static String name(int client, int call) {
    return "client-" + client + "-call-" + call;
  }
}
