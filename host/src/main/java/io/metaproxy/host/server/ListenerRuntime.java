package io.metaproxy.host.server;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.host.config.ListenerConfig;
import io.metaproxy.host.filter.FilterChain;
import io.metaproxy.host.route.Route;
import io.metaproxy.host.route.RouteTable;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.stats.RouteStats;
import io.metaproxy.host.transport.Transport;
import io.metaproxy.host.upstream.UpstreamTarget;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A listener as one snapshot serves it: codec, filter chain, routes, the clusters it can reach, and the stats
 * handles for every (route, cluster) pair it can pick, made up front so the request path allocates no labels.
 */
public final class ListenerRuntime {
  private final ListenerConfig config;
  private final CodecFactory codecFactory;
  private final RouteTable routes;
  private final FilterChain chain;
  private final Map<String, UpstreamTarget> targets;
  private final ProxyStats stats;
  private final Transport transport;
  private final RouteStats unrouted;
  private final IdentityHashMap<Route, RouteStats[]> routeStats = new IdentityHashMap<>();
  private final Map<String, RouteStats> overrideStats = new ConcurrentHashMap<>();

  ListenerRuntime(
      ListenerConfig config,
      CodecFactory codecFactory,
      RouteTable routes,
      FilterChain chain,
      Map<String, UpstreamTarget> targets,
      ProxyStats stats,
      Transport transport) {
    this.config = config;
    this.codecFactory = codecFactory;
    this.routes = routes;
    this.chain = chain;
    this.targets = Map.copyOf(targets);
    this.stats = stats;
    this.transport = transport;
    this.unrouted = stats.route(config.name(), "", "");
    for (Route route : routes.routes()) {
      String[] clusters = route.clusters();
      RouteStats[] handles = new RouteStats[clusters.length];
      for (int i = 0; i < clusters.length; i++) {
        handles[i] = stats.route(config.name(), route.name(), clusters[i]);
      }
      routeStats.put(route, handles);
    }
  }

  public String name() {
    return config.name();
  }

  public ListenerConfig config() {
    return config;
  }

  public CodecFactory codecFactory() {
    return codecFactory;
  }

  public RouteTable routes() {
    return routes;
  }

  public FilterChain chain() {
    return chain;
  }

  /** The cluster called {@code name} as this listener speaks to it, or null when not configured. */
  public UpstreamTarget target(String name) {
    return targets.get(name);
  }

  public Map<String, UpstreamTarget> targets() {
    return targets;
  }

  public ProxyStats proxyStats() {
    return stats;
  }

  public Transport transport() {
    return transport;
  }

  /** Stats for requests that never reached a route. */
  public RouteStats unroutedStats() {
    return unrouted;
  }

  /** Stats for {@code route} sending to {@code cluster}; no allocation unless a filter overrode the cluster. */
  public RouteStats stats(Route route, String cluster) {
    RouteStats[] handles = routeStats.get(route);
    if (handles != null) {
      for (int i = 0; i < handles.length; i++) {
        if (route.cluster(i).equals(cluster)) {
          return handles[i];
        }
      }
    }
    return overrideStats.computeIfAbsent(route.name() + '\n' + cluster, k -> stats.route(name(), route.name(), cluster));
  }
}
