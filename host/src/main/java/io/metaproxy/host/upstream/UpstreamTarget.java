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
  private final HashRing ring;
  /** 1 where the last health check failed; read per request (one volatile read), written by the health checker. */
  private final java.util.concurrent.atomic.AtomicIntegerArray unhealthy;
  private final long outlierBaseEjectionNanos;
  private final int outlierConsecutiveErrors;

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
    String[] names = config.endpoints().stream().map(ClusterConfig.Endpoint::toString).toArray(String[]::new);
    this.ring = names.length == 0 ? null : switch (config.lbPolicy()) {
      case RING_HASH -> HashRing.ring(names);
      case MAGLEV -> HashRing.maglev(names);
      default -> null;
    };
    this.unhealthy = new java.util.concurrent.atomic.AtomicIntegerArray(addresses.length);
    ClusterConfig.OutlierDetection outliers = config.outlierDetection();
    this.outlierConsecutiveErrors = outliers == null ? 0 : outliers.consecutiveErrors();
    this.outlierBaseEjectionNanos = outliers == null ? 0 : outliers.baseEjectionTime().toNanos();
  }

  /** Whether endpoints are picked by hashing request keys (ring_hash, maglev). */
  public boolean hashesRequests() {
    return ring != null;
  }

  /** Consecutive failures that eject an endpoint on one loop; 0 when outlier detection is off. */
  public int outlierConsecutiveErrors() {
    return outlierConsecutiveErrors;
  }

  /** How long a first ejection lasts; later ones of the same endpoint last a multiple of it. */
  public long outlierBaseEjectionNanos() {
    return outlierBaseEjectionNanos;
  }

  /** Starts a request-key hash; fold keys in with {@link #foldHash}, then pass the result to pickEndpoint. */
  public static long hashSeed() {
    return HashRing.seed();
  }

  public static long foldHash(long hash, String value) {
    return HashRing.fold(hash, value);
  }

  /** The value for "this request has no hash key": such requests are spread at random. */
  public static final long NO_HASH = 0;

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
  public int pickEndpoint(int loopIndex, UpstreamPools pools, CodecFactory codec, int exclude, long keyHash) {
    int count = addresses.length;
    if (count == 0) {
      return -1;
    }
    if (count == 1) {
      return 0;
    }
    int pick = choose(loopIndex, pools, codec, exclude, keyHash);
    if (!usable(pick, pools, codec)) {
      // Try the others in order; if none is usable, use the pick anyway (Envoy's panic mode).
      for (int step = 1; step < count; step++) {
        int candidate = (pick + step) % count;
        if (candidate != exclude && usable(candidate, pools, codec)) {
          return candidate;
        }
      }
    }
    return pick;
  }

  private boolean usable(int endpoint, UpstreamPools pools, CodecFactory codec) {
    if (unhealthy.get(endpoint) != 0) {
      return false;
    }
    return outlierConsecutiveErrors == 0 || !pools.isEjected(codec, addresses[endpoint]);
  }

  /** Whether the last health check of endpoint {@code index} passed (true when checks are off). */
  public boolean isHealthy(int index) {
    return unhealthy.get(index) == 0;
  }

  /** Records a health check result for endpoint {@code index}. */
  public void setHealthy(int index, boolean healthy) {
    unhealthy.set(index, healthy ? 0 : 1);
  }

  private int choose(int loopIndex, UpstreamPools pools, CodecFactory codec, int exclude, long keyHash) {
    int count = addresses.length;
    int pick;
    if (ring != null && keyHash != NO_HASH) {
      pick = ring.pick(HashRing.mix(keyHash));
      return pick == exclude ? (pick + 1) % count : pick;
    }
    switch (config.lbPolicy()) {
      case RING_HASH, MAGLEV -> pick = ThreadLocalRandom.current().nextInt(count);
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
