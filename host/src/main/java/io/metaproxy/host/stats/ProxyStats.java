package io.metaproxy.host.stats;

import io.metaproxy.api.ErrorType;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The statistics of one running proxy and their Prometheus exposition. One instance lives as long as the process;
 * config snapshots come and go and keep counting into the same series.
 *
 * <p>Exported series:
 *
 * <ul>
 *   <li>{@code metaproxy_requests_total{listener,route,cluster}}, {@code
 *       metaproxy_request_errors_total{listener,route,cluster,type}} (type is {@link ErrorType#scriptName()}),
 *       {@code metaproxy_request_duration_seconds{listener,route,cluster}} (histogram, 0.1 ms to 10 s) and {@code
 *       metaproxy_requests_active{listener,route,cluster}}: through {@link RouteStats};
 *   <li>{@code metaproxy_downstream_connections_active{listener}}, {@code
 *       metaproxy_downstream_connections_total{listener}}, {@code metaproxy_decode_errors_total{listener}};
 *   <li>{@code metaproxy_upstream_connect_failures_total{cluster}};
 *   <li>{@code metaproxy_filter_counter_total{listener,metric}}: what filters count with {@code
 *       FilterContext.count};
 *   <li>{@code metaproxy_config_reloads_total{result="success"|"failure"}}.
 * </ul>
 *
 * <p>Thread-safe. {@link #route} allocates on first use of a label set, so callers cache its result per snapshot;
 * the other methods look their series up in a map keyed by the name they are given and allocate only the first
 * time they see that name.
 */
public final class ProxyStats {
  /**
   * Distinct filter metric names kept per process. A script that counts under a name built from request data
   * would otherwise grow the scrape without bound; names past the limit count under {@link #OVERFLOW_METRIC}.
   */
  static final int MAX_FILTER_METRICS = 1000;

  /** The {@code metric} label that collects counts past {@link #MAX_FILTER_METRICS}. */
  static final String OVERFLOW_METRIC = "_overflow";

  private static final ErrorType[] ERROR_TYPES = ErrorType.values();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();

  private final ConcurrentMap<RouteKey, RouteStats> routes = new ConcurrentHashMap<>();

  private final Gauge connectionsActive;
  private final Counter connectionsTotal;
  private final Counter decodeErrors;
  private final Counter upstreamConnectFailures;
  private final Counter filterCounter;
  private final CounterDataPoint reloadSuccesses;
  private final CounterDataPoint reloadFailures;

  private final ConcurrentMap<String, ListenerSeries> listeners = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, CounterDataPoint> connectFailuresByCluster = new ConcurrentHashMap<>();
  /** listener -> the metric name as the filter gave it -> its series (names sanitized once, on first use). */
  private final ConcurrentMap<String, ConcurrentMap<String, CounterDataPoint>> filterCounters =
      new ConcurrentHashMap<>();
  private final AtomicInteger filterMetricCount = new AtomicInteger();

  /** Creates an empty registry of its own (never Prometheus' default one), so several proxies can share a JVM. */
  public ProxyStats() {
    connectionsActive =
        Gauge.builder()
            .name("metaproxy_downstream_connections_active")
            .help("Downstream (client) connections open now.")
            .labelNames("listener")
            .withoutExemplars()
            .register(registry);
    connectionsTotal =
        Counter.builder()
            .name("metaproxy_downstream_connections_total")
            .help("Downstream (client) connections accepted.")
            .labelNames("listener")
            .withoutExemplars()
            .register(registry);
    decodeErrors =
        Counter.builder()
            .name("metaproxy_decode_errors_total")
            .help("Downstream connections closed because a frame could not be decoded.")
            .labelNames("listener")
            .withoutExemplars()
            .register(registry);
    upstreamConnectFailures =
        Counter.builder()
            .name("metaproxy_upstream_connect_failures_total")
            .help("Failed attempts to connect to an upstream endpoint.")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);
    filterCounter =
        Counter.builder()
            .name("metaproxy_filter_counter_total")
            .help("Counters filters and scripts increment with FilterContext.count(metric, delta).")
            .labelNames("listener", "metric")
            .withoutExemplars()
            .register(registry);
    Counter reloads =
        Counter.builder()
            .name("metaproxy_config_reloads_total")
            .help("Configuration reloads, by result.")
            .labelNames("result")
            .withoutExemplars()
            .register(registry);
    reloadSuccesses = reloads.labelValues("success");
    reloadFailures = reloads.labelValues("failure");
    registry.register(new RouteCollector());
  }

  /**
   * The handle for requests on {@code listener} matched by {@code route} and sent to {@code cluster}. The same
   * labels give the same handle. Allocates the first time a label set is seen: callers cache the result.
   *
   * @param route the route's name, or {@code ""} (or null) when no route matched
   * @param cluster the cluster's name, or {@code ""} (or null) when none was chosen
   */
  public RouteStats route(String listener, String route, String cluster) {
    RouteKey key = new RouteKey(Objects.requireNonNull(listener, "listener"), orEmpty(route), orEmpty(cluster));
    return routes.computeIfAbsent(key, k -> new RouteStats(k.listener(), k.route(), k.cluster()));
  }

  /** A client connection was accepted on {@code listener}. */
  public void downstreamConnectionOpened(String listener) {
    ListenerSeries series = listener(listener);
    series.connectionsTotal.inc();
    series.connectionsActive.inc();
  }

  /** A client connection on {@code listener} closed, for whatever reason. */
  public void downstreamConnectionClosed(String listener) {
    listener(listener).connectionsActive.dec();
  }

  /** A malformed frame made the proxy close a client connection on {@code listener}. */
  public void decodeError(String listener) {
    listener(listener).decodeErrors.inc();
  }

  /** Connecting to an endpoint of {@code cluster} failed (refused, unreachable, timed out). */
  public void upstreamConnectFailure(String cluster) {
    CounterDataPoint series = connectFailuresByCluster.get(cluster);
    if (series == null) {
      series =
          connectFailuresByCluster.computeIfAbsent(cluster, c -> upstreamConnectFailures.labelValues(c));
    }
    series.inc();
  }

  /**
   * Adds {@code delta} to the filter counter {@code metric} of {@code listener} ({@code FilterContext.count}).
   * Characters outside {@code [a-zA-Z0-9_]} in the name become {@code _}. Counters only go up: a delta of zero or
   * less is ignored. After {@value #MAX_FILTER_METRICS} distinct names, new names count under {@value
   * #OVERFLOW_METRIC}.
   */
  public void filterCount(String listener, String metric, long delta) {
    if (delta <= 0) {
      return;
    }
    ConcurrentMap<String, CounterDataPoint> byName = filterCounters.get(listener);
    if (byName == null) {
      byName = filterCounters.computeIfAbsent(listener, l -> new ConcurrentHashMap<>());
    }
    CounterDataPoint series = byName.get(metric);
    if (series == null) {
      series = newFilterSeries(listener, metric, byName);
    }
    series.inc(delta);
  }

  private CounterDataPoint newFilterSeries(
      String listener, String metric, ConcurrentMap<String, CounterDataPoint> byName) {
    if (filterMetricCount.incrementAndGet() > MAX_FILTER_METRICS) {
      filterMetricCount.decrementAndGet();
      // Not cached under the raw name, so the map stays bounded.
      return filterCounter.labelValues(listener, OVERFLOW_METRIC);
    }
    CounterDataPoint created = filterCounter.labelValues(listener, sanitizeMetricName(metric));
    CounterDataPoint raced = byName.putIfAbsent(metric, created);
    if (raced != null) {
      filterMetricCount.decrementAndGet();
      return raced;
    }
    return created;
  }

  /** A configuration reload finished, successfully or not. */
  public void reload(boolean success) {
    (success ? reloadSuccesses : reloadFailures).inc();
  }

  /** All series in the Prometheus text exposition format, version 0.0.4. */
  public String scrapePrometheus() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      textFormat.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** {@code metric} with every character outside {@code [a-zA-Z0-9_]} replaced by {@code _}; never empty. */
  static String sanitizeMetricName(String metric) {
    if (metric == null || metric.isEmpty()) {
      return "_";
    }
    StringBuilder sanitized = new StringBuilder(metric.length());
    for (int i = 0; i < metric.length(); i++) {
      char c = metric.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      sanitized.append(allowed ? c : '_');
    }
    return sanitized.toString();
  }

  private ListenerSeries listener(String listener) {
    ListenerSeries series = listeners.get(listener);
    return series != null ? series : listeners.computeIfAbsent(listener, ListenerSeries::new);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  private record RouteKey(String listener, String route, String cluster) {}

  /** The per-listener series, bound to their label once so connection events skip the label lookup. */
  private final class ListenerSeries {
    final CounterDataPoint connectionsTotal;
    final GaugeDataPoint connectionsActive;
    final CounterDataPoint decodeErrors;

    ListenerSeries(String listener) {
      connectionsTotal = ProxyStats.this.connectionsTotal.labelValues(listener);
      connectionsActive = ProxyStats.this.connectionsActive.labelValues(listener);
      decodeErrors = ProxyStats.this.decodeErrors.labelValues(listener);
    }
  }

  /** Turns every {@link RouteStats} into the four per-route metric families when scraped. */
  private final class RouteCollector implements MultiCollector {
    private static final String REQUESTS = "metaproxy_requests";
    private static final String ERRORS = "metaproxy_request_errors";
    private static final String DURATION = "metaproxy_request_duration_seconds";
    private static final String ACTIVE = "metaproxy_requests_active";
    private static final double[] UPPER_BOUNDS = withInfinity(RouteStats.BUCKET_BOUNDS_SECONDS);

    private static double[] withInfinity(double[] bounds) {
      double[] all = Arrays.copyOf(bounds, bounds.length + 1);
      all[bounds.length] = Double.POSITIVE_INFINITY;
      return all;
    }

    @Override
    public MetricSnapshots collect() {
      CounterSnapshot.Builder requests =
          CounterSnapshot.builder().name(REQUESTS).help("Requests routed, oneway requests included.");
      CounterSnapshot.Builder errors =
          CounterSnapshot.builder()
              .name(ERRORS)
              .help("Requests the proxy answered with an error instead of the upstream, by error type.");
      HistogramSnapshot.Builder duration =
          HistogramSnapshot.builder()
              .name(DURATION)
              .help("Time from routing a request to answering it, upstream response or proxy error.");
      GaugeSnapshot.Builder active =
          GaugeSnapshot.builder().name(ACTIVE).help("Requests routed and not yet answered.");
      for (RouteStats route : routes.values()) {
        Labels labels = route.labels();
        requests.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(route.requests()).build());
        active.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(route.active()).build());
        for (ErrorType type : ERROR_TYPES) {
          errors.dataPoint(
              CounterDataPointSnapshot.builder()
                  .labels(labels.add("type", type.scriptName()))
                  .value(route.errors(type))
                  .build());
        }
        duration.dataPoint(
            HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(
                    ClassicHistogramBuckets.of(UPPER_BOUNDS, route.bucketCounts()))
                .sum(route.latencySumSeconds())
                .build());
      }
      return MetricSnapshots.of(requests.build(), errors.build(), duration.build(), active.build());
    }
  }
}
