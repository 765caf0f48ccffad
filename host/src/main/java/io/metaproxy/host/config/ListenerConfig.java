package io.metaproxy.host.config;

import java.time.Duration;
import java.util.List;

/**
 * A listener: an address, the protocol (codec name) spoken there, the filter chain and the routes.
 *
 * @param idleTimeout a downstream connection with no traffic for this long is closed; zero disables it
 * @param maxFrameSize the largest frame accepted in bytes ({@code max_frame_size}, default 8 MiB); larger ones close
 *     the connection
 * @param filters the chain in request order; the router is not listed (it is always last)
 */
public record ListenerConfig(
    String name,
    String host,
    int port,
    String protocol,
    Duration idleTimeout,
    int maxFrameSize,
    List<FilterSpec> filters,
    RouteConfig routeConfig,
    Location location) {
  public ListenerConfig {
    filters = List.copyOf(filters);
  }
}
