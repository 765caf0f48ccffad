package io.metaproxy.host.upstream;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.host.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster as one snapshot uses it: its endpoints, the load-balancing policy and pool settings. The protocol is
 * not the cluster's: each request is sent with the codec of the connection it came from. Immutable except for the per-loop round-robin cursors, each touched by
 * its own loop only.
 */
public final class UpstreamTarget {
  private final ClusterConfig config;
  private final InetSocketAddress[] addresses;
  private final int[] roundRobinByLoop;
  private final boolean multiplex;
  private final int maxConnections;
  private final int maxPendingRequests;
  private final int maxRequests;
  private final int connectTimeoutMillis;

  public UpstreamTarget(ClusterConfig config, int loopCount) {
    this.config = config;
    this.addresses = new InetSocketAddress[config.endpoints().size()];
    for (int i = 0; i < addresses.length; i++) {
      ClusterConfig.Endpoint endpoint = config.endpoints().get(i);
      addresses[i] = InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port());
    }
    this.roundRobinByLoop = new int[Math.max(1, loopCount) * 16]; // 16 ints apart: no false sharing between loops
    ClusterConfig.ConnectionPool pool = config.connectionPool();
    this.multiplex = pool == null || pool.mode() == ClusterConfig.ConnectionPool.Mode.MULTIPLEX;
    this.maxConnections = pool == null ? 1 : Math.max(1, pool.maxConnections());
    this.maxPendingRequests = config.circuitBreakers().maxPendingRequests();
    this.maxRequests = config.circuitBreakers().maxRequests();
    this.connectTimeoutMillis = (int) Math.max(1, config.connectTimeout().toMillis());
  }

  public String name() {
    return config.name();
  }

  public ClusterConfig config() {
    return config;
  }

  public int endpointCount() {
    return addresses.length;
  }

  /** Endpoint {@code index}'s address, unresolved (resolved when a connection opens). */
  public InetSocketAddress address(int index) {
    return addresses[index];
  }

  public boolean multiplex() {
    return multiplex;
  }

  /** Connections per endpoint per event loop. */
  public int maxConnections() {
    return maxConnections;
  }

  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  public int maxRequests() {
    return maxRequests;
  }

  public int connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /**
   * Picks an endpoint for one request on loop {@code loopIndex}, skipping {@code exclude} (the endpoint that just
   * failed, on a retry) when there is another. Returns -1 when the cluster has no endpoint.
   */
  public int pickEndpoint(int loopIndex, UpstreamPools pools, CodecFactory codec, int exclude) {
    int count = addresses.length;
    if (count == 0) {
      return -1;
    }
    if (count == 1) {
      return 0;
    }
    int pick;
    switch (config.lbPolicy()) {
      case RANDOM -> pick = ThreadLocalRandom.current().nextInt(count);
      case LEAST_REQUEST -> pick = leastRequest(pools, codec, exclude);
      default -> {
        int slot = loopIndex * 16;
        pick = Math.floorMod(roundRobinByLoop[slot]++, count);
      }
    }
    if (pick == exclude) {
      pick = (pick + 1) % count;
    }
    return pick;
  }

  private int leastRequest(UpstreamPools pools, CodecFactory codec, int exclude) {
    // Power of two choices, as Envoy does: two random endpoints, the one with fewer requests in flight on this loop.
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int a = random.nextInt(addresses.length);
    int b = random.nextInt(addresses.length - 1);
    if (b >= a) {
      b++;
    }
    if (a == exclude) {
      return b;
    }
    if (b == exclude) {
      return a;
    }
    return pools.inFlight(codec, addresses[a]) <= pools.inFlight(codec, addresses[b]) ? a : b;
  }
}
