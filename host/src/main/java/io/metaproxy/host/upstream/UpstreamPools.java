package io.metaproxy.host.upstream;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.ErrorType;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One event loop's upstream connections, by endpoint. Used only on its loop's thread: no locks. Created lazily on
 * first use from a loop; lives as long as the loop.
 */
public final class UpstreamPools {
  private static final FastThreadLocal<UpstreamPools> CURRENT = new FastThreadLocal<>();

  private final EventLoop loop;
  private final Transport transport;
  private final ProxyStats stats;
  /** By codec factory identity, then address: two lookups, no key allocated per request. */
  private final Map<CodecFactory, Map<InetSocketAddress, EndpointPool>> pools = new IdentityHashMap<>();

  private UpstreamPools(EventLoop loop, Transport transport, ProxyStats stats) {
    this.loop = loop;
    this.transport = transport;
    this.stats = stats;
  }

  /** The pools of the loop running the caller, created on first use. Must be called on an event loop. */
  public static UpstreamPools current(EventLoop loop, Transport transport, ProxyStats stats) {
    UpstreamPools pools = CURRENT.getIfExists();
    if (pools == null) {
      pools = new UpstreamPools(loop, transport, stats);
      CURRENT.set(pools);
    }
    return pools;
  }

  /** Every loop's pools that exist, for the admin API; read from other threads, so only approximate. */
  private static final List<UpstreamPools> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

  {
    ALL.add(this);
  }

  /** Sends {@code request} to endpoint {@code endpoint} of {@code target}. Failures arrive through the request. */
  public void send(UpstreamTarget target, int endpoint, CodecFactory codec, UpstreamRequest request) {
    InetSocketAddress address = target.address(endpoint);
    Map<InetSocketAddress, EndpointPool> byAddress = pools.computeIfAbsent(codec, c -> new HashMap<>());
    EndpointPool pool = byAddress.get(address);
    if (pool == null) {
      pool = new EndpointPool(new PoolKey(codec, address), this);
      byAddress.put(address, pool);
    }
    pool.send(target, request);
  }

  private EndpointPool find(CodecFactory codec, InetSocketAddress address) {
    Map<InetSocketAddress, EndpointPool> byAddress = pools.get(codec);
    return byAddress == null ? null : byAddress.get(address);
  }

  /** Withdraws a request that no longer wants its response (timed out). */
  public void cancel(UpstreamTarget target, int endpoint, CodecFactory codec, UpstreamRequest request) {
    EndpointPool pool = find(codec, target.address(endpoint));
    if (pool != null) {
      pool.cancel(request);
    }
  }

  /** Whether outlier detection has ejected {@code address} on this loop. */
  public boolean isEjected(CodecFactory codec, InetSocketAddress address) {
    EndpointPool pool = find(codec, address);
    return pool != null && pool.isEjected(System.nanoTime());
  }

  /** Records the outcome of a request to endpoint {@code endpoint} of {@code target} (outlier detection). */
  public void recordOutcome(UpstreamTarget target, int endpoint, CodecFactory codec, boolean success) {
    if (target.outlierConsecutiveErrors() == 0) {
      return;
    }
    EndpointPool pool = find(codec, target.address(endpoint));
    if (pool != null) {
      pool.recordOutcome(success, target, System.nanoTime());
    }
  }

  /** Requests in flight to {@code key} from this loop. */
  public int inFlight(CodecFactory codec, InetSocketAddress address) {
    EndpointPool pool = find(codec, address);
    return pool == null ? 0 : pool.inFlight();
  }

  EventLoop loop() {
    return loop;
  }

  Transport transport() {
    return transport;
  }

  /** Lines {@code endpoint::stat::value} for /clusters, across all loops. */
  public static List<String> describeAll() {
    List<String> lines = new ArrayList<>();
    Map<PoolKey, int[]> totals = new java.util.TreeMap<>(java.util.Comparator.comparing(PoolKey::toString));
    for (UpstreamPools pools : ALL) {
      for (EndpointPool pool : pools.allPools()) {
        int[] sum = totals.computeIfAbsent(pool.key(), k -> new int[2]);
        sum[0] += pool.connectionCount();
        sum[1] += pool.inFlight();
      }
    }
    totals.forEach((key, sum) -> {
      lines.add(key + "::cx_active::" + sum[0]);
      lines.add(key + "::rq_active::" + sum[1]);
    });
    return lines;
  }

  /** Closes every connection of this loop (shutdown); pending requests fail with upstream_failure. */
  public void closeAll() {
    for (EndpointPool pool : allPools()) {
      pool.closeAll();
    }
    ALL.remove(this);
  }

  private List<EndpointPool> allPools() {
    List<EndpointPool> all = new ArrayList<>();
    for (Map<InetSocketAddress, EndpointPool> byAddress : List.copyOf(pools.values())) {
      all.addAll(List.copyOf(byAddress.values()));
    }
    return all;
  }

  static void failNow(UpstreamRequest request, ErrorType error, String message) {
    request.onUpstreamFailure(error, message, false);
  }
}
