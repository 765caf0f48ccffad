package io.metaproxy.it.protocols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.metaproxy.it.FreePorts;
import io.metaproxy.it.ProxyProcess;
import io.metaproxy.it.ShowProxyLogOnFailure;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TApplicationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thrift through the proxy: real libthrift 0.17 clients ({@code TServiceClient}) and real libthrift {@code
 * TThreadPoolServer}s with {@code TMultiplexedProcessor}s, in all four framed/unframed x binary/compact
 * combinations. One proxy serves the class, one listener per combination, each with its own three servers:
 * <ul>
 *   <li>primary: services Echo and EchoV2, the default;
 *   <li>secondary: services Echo and Admin, reached by service Admin or by method audit;
 *   <li>mux: service Mux, behind a multiplexed pool of at most 2 connections.
 * </ul>
 * Replies read {@code "<server>/<service>/<method>:<text>"}, so each assertion names who answered.
 *
 * <p>The proxy runs with {@code --threads 1}: {@code max_connections} counts per endpoint per event loop, so with
 * one loop "at most 2 upstream connections" is exact.
 */
@ExtendWith(ShowProxyLogOnFailure.class)
class ThriftIT {
  private static final int CLIENTS = 50;
  private static final int CALLS_PER_CLIENT = 5;

  /** The servers and the listener of one wire format. */
  private record Setup(int listenerPort, ThriftEchoServer primary, ThriftEchoServer secondary, ThriftEchoServer mux) {}

  private static final Map<ThriftWire, Setup> SETUPS = new EnumMap<>(ThriftWire.class);
  private static ProxyProcess proxy;

  @BeforeAll
  static void startServersAndProxy() {
    StringBuilder listeners = new StringBuilder("listeners:\n");
    StringBuilder clusters = new StringBuilder("clusters:\n");
    for (ThriftWire wire : ThriftWire.values()) {
      Setup setup = new Setup(FreePorts.next(),
          ThriftEchoServer.start("primary", wire, "Echo", "EchoV2"),
          ThriftEchoServer.start("secondary", wire, "Echo", "Admin"),
          ThriftEchoServer.start("mux", wire, "Mux"));
      SETUPS.put(wire, setup);
      listeners.append("""
            - name: thrift-%1$s
              address: 127.0.0.1:%2$d
              protocol: thrift
              route_config:
                routes:
                  - name: admin-by-service
                    match: { metadata: [ { name: service, exact: Admin } ] }
                    route: { cluster: secondary-%1$s }
                  - name: audit-by-method
                    match: { metadata: [ { name: method, exact: audit } ] }
                    route: { cluster: secondary-%1$s }
                  - name: legacy-renamed
                    match: { metadata: [ { name: service, exact: Legacy } ] }
                    route: { cluster: primary-%1$s }
                    request_mutation: [ { key: service, value: EchoV2 } ]
                  - name: mux
                    match: { metadata: [ { name: service, exact: Mux } ] }
                    route: { cluster: mux-%1$s }
                  # service Nowhere matches no route
                  - name: echo
                    match: { metadata: [ { name: service, exact: Echo } ] }
                    route: { cluster: primary-%1$s }
          """.formatted(wire.slug(), setup.listenerPort()));
      clusters.append("""
            - { name: primary-%1$s, endpoints: [ 127.0.0.1:%2$d ] }
            - { name: secondary-%1$s, endpoints: [ 127.0.0.1:%3$d ] }
            - name: mux-%1$s
              endpoints: [ 127.0.0.1:%4$d ]
              connection_pool: { mode: multiplex, max_connections: 2 }
          """.formatted(wire.slug(), setup.primary().port(), setup.secondary().port(), setup.mux().port()));
    }
    proxy = ProxyProcess.start("ThriftIT", listeners + clusters.toString(), "--threads", "1");
  }

  @AfterAll
  static void stop() {
    try {
      if (proxy != null) {
        proxy.assertNoLeaksReported();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      for (Setup setup : SETUPS.values()) {
        setup.primary().close();
        setup.secondary().close();
        setup.mux().close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThriftWire.class)
  void routesByServiceAndByMethod(ThriftWire wire) throws Exception {
    try (ThriftEchoClient client = connect(wire)) {
      assertThat(client.service("Echo").call("echo", "a")).isEqualTo("primary/Echo/echo:a");
      // the multiplexed service name picks the cluster
      assertThat(client.service("Admin").call("echo", "b")).isEqualTo("secondary/Admin/echo:b");
      // so does the method name, whatever the service
      assertThat(client.service("Echo").call("audit", "c")).isEqualTo("secondary/Echo/audit:c");
      assertThat(client.service("Echo").call("echo", "d")).isEqualTo("primary/Echo/echo:d");
    }
  }

  /** The primary server has no service Legacy: only the renamed message name gets it dispatched to EchoV2. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ThriftWire.class)
  void serviceMutationRenamesWhatTheServerDispatches(ThriftWire wire) throws Exception {
    try (ThriftEchoClient client = connect(wire)) {
      ThriftEchoClient.Service legacy = client.service("Legacy");
      assertThat(legacy.call("echo", "m1")).isEqualTo("primary/EchoV2/echo:m1");
      // the client's own seqids survive the re-encoded request: TServiceClient rejects a reply out of sequence
      assertThat(legacy.call("echo", "m2")).isEqualTo("primary/EchoV2/echo:m2");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThriftWire.class)
  void routeNotFoundIsATApplicationExceptionTheClientReads(ThriftWire wire) throws Exception {
    Setup setup = SETUPS.get(wire);
    int answeredBefore = setup.primary().callsAnswered() + setup.secondary().callsAnswered();
    try (ThriftEchoClient client = connect(wire)) {
      ThriftEchoClient.Service nowhere = client.service("Nowhere");
      TApplicationException refused =
          catchThrowableOfType(TApplicationException.class, () -> nowhere.call("echo", "lost"));

      assertThat(refused).as("the call must fail with a TApplicationException").isNotNull();
      assertThat(refused.getType()).isEqualTo(TApplicationException.UNKNOWN_METHOD);
      assertThat(refused.getMessage()).contains("route_not_found");
      assertThat(setup.primary().callsAnswered() + setup.secondary().callsAnswered())
          .as("no server saw the call").isEqualTo(answeredBefore);
      // the connection stays usable
      assertThat(client.service("Echo").call("echo", "after")).isEqualTo("primary/Echo/echo:after");
    }
  }

  /**
   * 50 clients, each on a connection of its own and all using the same seqids (TServiceClient counts from 1), call
   * at once through one endpoint pooled at 2 multiplexed connections. Each must get exactly its own replies, in
   * order (TServiceClient checks the seqid of each), and the server must have seen at most 2 connections.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ThriftWire.class)
  void fiftyClientsShareTwoUpstreamConnections(ThriftWire wire) throws Exception {
    Setup setup = SETUPS.get(wire);
    int answeredBefore = setup.mux().callsAnswered();
    CyclicBarrier allConnected = new CyclicBarrier(CLIENTS);
    List<Future<List<String>>> replies = new ArrayList<>();
    try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
      for (int c = 0; c < CLIENTS; c++) {
        int clientNumber = c;
        replies.add(clients.submit(() -> {
          try (ThriftEchoClient client = connect(wire)) {
            ThriftEchoClient.Service mux = client.service("Mux");
            allConnected.await(30, TimeUnit.SECONDS); // then all call at once
            List<String> got = new ArrayList<>();
            for (int call = 0; call < CALLS_PER_CLIENT; call++) {
              got.add(mux.call("echo", text(clientNumber, call)));
            }
            return got;
          }
        }));
      }
      for (int c = 0; c < CLIENTS; c++) {
        List<String> expected = new ArrayList<>();
        for (int call = 0; call < CALLS_PER_CLIENT; call++) {
          expected.add("mux/Mux/echo:" + text(c, call));
        }
        assertThat(replies.get(c).get(60, TimeUnit.SECONDS)).as("client %d's replies", c).isEqualTo(expected);
      }
    }
    assertThat(setup.mux().callsAnswered() - answeredBefore).isEqualTo(CLIENTS * CALLS_PER_CLIENT);
    assertThat(setup.mux().connectionsAccepted())
        .as("connections the mux server accepted from the proxy (max_connections: 2, one event loop)")
        .isBetween(1, 2);
  }

  private static String text(int client, int call) {
    return "client-" + client + "-call-" + call;
  }

  private static ThriftEchoClient connect(ThriftWire wire) throws Exception {
    return new ThriftEchoClient(wire, SETUPS.get(wire).listenerPort());
  }
}
