/**
 * Statistics: the proxy's counters, gauges and latency histograms, exported in the Prometheus text format on the
 * admin API's {@code /stats/prometheus}.
 *
 * <p>{@link io.metaproxy.host.stats.ProxyStats} is the one registry of a running proxy; it outlives config
 * snapshots, so a reload keeps counting into the same series. Per-request accounting goes through a {@link
 * io.metaproxy.host.stats.RouteStats} handle per (listener, route, cluster), which callers look up once per
 * snapshot and whose methods neither allocate nor lock. Everything less frequent (connections, reloads, filter
 * counters) is a method on {@code ProxyStats}. This package knows nothing of Netty, config or plugins.
 */
package io.metaproxy.host.stats;
