package io.metaproxy.host.config;

import java.time.Duration;
import java.util.List;

/**
 * An upstream cluster. Its protocol is that of the listener whose route sends traffic to it.
 *
 * @param connectTimeout {@code connect_timeout}, default 1s
 * @param circuitBreakers never null; defaults as in Envoy (1024/1024/1024)
 * @param outlierDetection null when not configured
 * @param healthCheck null when not configured
 */
public record ClusterConfig(
    String name,
    List<Endpoint> endpoints,
    LbPolicy lbPolicy,
    ConnectionPool connectionPool,
    Duration connectTimeout,
    CircuitBreakers circuitBreakers,
    OutlierDetection outlierDetection,
    HealthCheck healthCheck,
    Location location) {
  public ClusterConfig {
    endpoints = List.copyOf(endpoints);
  }

  /** A {@code host:port}; an IPv6 host is kept without its brackets. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public enum LbPolicy { ROUND_ROBIN, RANDOM, LEAST_REQUEST, RING_HASH, MAGLEV }

  /**
   * {@code connection_pool: { mode: multiplex, max_connections: 4 }}. Default: multiplex, 1 connection per endpoint
   * per event loop. {@code ping_pong} allows one request in flight per connection.
   */
  public record ConnectionPool(Mode mode, int maxConnections) {
    public enum Mode { MULTIPLEX, PING_PONG }
  }

  public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests) {}

  public record OutlierDetection(int consecutiveErrors, Duration baseEjectionTime) {}

  public record HealthCheck(Duration interval, Duration timeout) {}
}
