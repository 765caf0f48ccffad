package io.metaproxy.host.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.metaproxy.api.ErrorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProxyStatsTest {
  private static final long MS = 1_000_000L;

  private final ProxyStats stats = new ProxyStats();

  @Test
  void countsRequestsErrorsInFlightAndLatencyPerRoute() {
    RouteStats route = stats.route("dubbo-in", "greet", "greet-v1");
    route.requestStarted();
    route.requestStarted();
    route.requestStarted();
    route.requestStarted();
    route.responded(2 * MS);
    route.failed(ErrorType.TIMEOUT, 20 * MS);
    route.failed(ErrorType.OVER_LIMIT, 50_000L);

    Scrape scrape = scrape();
    String[] labels = {"listener", "dubbo-in", "route", "greet", "cluster", "greet-v1"};
    assertThat(scrape.value("metaproxy_requests_total", labels)).isEqualTo(4);
    assertThat(scrape.value("metaproxy_requests_active", labels)).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_errors_total", with(labels, "type", "timeout"))).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_errors_total", with(labels, "type", "over_limit"))).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_errors_total", with(labels, "type", "route_not_found"))).isZero();
    assertThat(scrape.value("metaproxy_request_duration_seconds_count", labels)).isEqualTo(3);
    assertThat(scrape.value("metaproxy_request_duration_seconds_sum", labels)).isCloseTo(0.02205, within(1e-9));
    // Cumulative buckets: 0.05 ms <= 0.1 ms, 2 ms <= 2.5 ms, 20 ms <= 25 ms.
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "1.0E-4"))).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "0.001"))).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "0.0025"))).isEqualTo(2);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "0.01"))).isEqualTo(2);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "0.025"))).isEqualTo(3);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "10.0"))).isEqualTo(3);
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "+Inf"))).isEqualTo(3);
  }

  @Test
  void everyErrorTypeHasASeriesFromTheStart() {
    stats.route("l", "r", "c");
    Scrape scrape = scrape();
    for (ErrorType type : ErrorType.values()) {
      assertThat(
              scrape.value(
                  "metaproxy_request_errors_total",
                  "listener", "l", "route", "r", "cluster", "c", "type", type.scriptName()))
          .as(type.scriptName())
          .isZero();
    }
  }

  @Test
  void latencyPastTheLastBoundCountsOnlyInInfinity() {
    RouteStats route = stats.route("l", "r", "c");
    route.requestStarted();
    route.responded(30_000 * MS);
    Scrape scrape = scrape();
    String[] labels = {"listener", "l", "route", "r", "cluster", "c"};
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "10.0"))).isZero();
    assertThat(scrape.value("metaproxy_request_duration_seconds_bucket", with(labels, "le", "+Inf"))).isEqualTo(1);
    assertThat(scrape.value("metaproxy_request_duration_seconds_sum", labels)).isEqualTo(30.0);
  }

  @Test
  void aForwardedOnewayRequestLeavesTheInFlightGaugeWithoutALatencyOrError() {
    RouteStats route = stats.route("l", "r", "c");
    route.requestStarted();
    route.requestStarted();
    route.oneway();
    route.oneway();
    Scrape scrape = scrape();
    String[] labels = {"listener", "l", "route", "r", "cluster", "c"};
    assertThat(scrape.value("metaproxy_requests_total", labels)).isEqualTo(2);
    assertThat(scrape.value("metaproxy_requests_active", labels)).isZero();
    assertThat(scrape.value("metaproxy_request_duration_seconds_count", labels)).isZero();
    assertThat(scrape.value("metaproxy_request_errors_total", with(labels, "type", "unspecified"))).isZero();
  }

  @Test
  void theSameLabelsGiveTheSameHandleSoCountsSurviveAReload() {
    RouteStats before = stats.route("l", "r", "c");
    before.requestStarted();
    RouteStats after = stats.route("l", "r", "c");
    after.responded(MS);
    assertThat(after).isSameAs(before);
    assertThat(stats.route("l", "r", "other")).isNotSameAs(before);
    assertThat(scrape().value("metaproxy_requests_active", "listener", "l", "route", "r", "cluster", "c")).isZero();
  }

  @Test
  void unknownRouteAndClusterAreEmptyLabels() {
    RouteStats unrouted = stats.route("l", null, "");
    unrouted.requestStarted();
    unrouted.failed(ErrorType.ROUTE_NOT_FOUND, MS);
    assertThat(stats.route("l", "", null)).isSameAs(unrouted);
    assertThat(
            scrape()
                .value(
                    "metaproxy_request_errors_total",
                    "listener", "l", "route", "", "cluster", "", "type", "route_not_found"))
        .isEqualTo(1);
  }

  @Test
  void connectionsDecodeErrorsConnectFailuresAndReloads() {
    stats.downstreamConnectionOpened("dubbo-in");
    stats.downstreamConnectionOpened("dubbo-in");
    stats.downstreamConnectionOpened("thrift-in");
    stats.downstreamConnectionClosed("dubbo-in");
    stats.decodeError("dubbo-in");
    stats.upstreamConnectFailure("greet-v1");
    stats.upstreamConnectFailure("greet-v1");
    stats.reload(true);
    stats.reload(false);
    stats.reload(false);

    Scrape scrape = scrape();
    assertThat(scrape.value("metaproxy_downstream_connections_active", "listener", "dubbo-in")).isEqualTo(1);
    assertThat(scrape.value("metaproxy_downstream_connections_total", "listener", "dubbo-in")).isEqualTo(2);
    assertThat(scrape.value("metaproxy_downstream_connections_active", "listener", "thrift-in")).isEqualTo(1);
    assertThat(scrape.value("metaproxy_decode_errors_total", "listener", "dubbo-in")).isEqualTo(1);
    assertThat(scrape.value("metaproxy_upstream_connect_failures_total", "cluster", "greet-v1")).isEqualTo(2);
    assertThat(scrape.value("metaproxy_config_reloads_total", "result", "success")).isEqualTo(1);
    assertThat(scrape.value("metaproxy_config_reloads_total", "result", "failure")).isEqualTo(2);
  }

  @Test
  void filterCountersAreSanitizedPerListenerAndOnlyGoUp() {
    stats.filterCount("dubbo-in", "canary.hits-v2", 3);
    stats.filterCount("dubbo-in", "canary.hits-v2", 2);
    stats.filterCount("dubbo-in", "canary_hits_v2", 1); // the same series once sanitized
    stats.filterCount("dubbo-in", "canary.hits-v2", -7);
    stats.filterCount("thrift-in", "canary.hits-v2", 1);
    stats.filterCount("thrift-in", "", 1);

    Scrape scrape = scrape();
    assertThat(scrape.value("metaproxy_filter_counter_total", "listener", "dubbo-in", "metric", "canary_hits_v2"))
        .isEqualTo(6);
    assertThat(scrape.value("metaproxy_filter_counter_total", "listener", "thrift-in", "metric", "canary_hits_v2"))
        .isEqualTo(1);
    assertThat(scrape.value("metaproxy_filter_counter_total", "listener", "thrift-in", "metric", "_"))
        .isEqualTo(1);
  }

  @Test
  void filterCounterNamesPastTheLimitCountAsOverflow() {
    for (int i = 0; i < ProxyStats.MAX_FILTER_METRICS + 5; i++) {
      stats.filterCount("l", "user_" + i, 1);
    }
    stats.filterCount("l", "user_0", 1); // kept names keep counting
    Scrape scrape = scrape();
    assertThat(scrape.value("metaproxy_filter_counter_total", "listener", "l", "metric", "user_0")).isEqualTo(2);
    assertThat(scrape.value("metaproxy_filter_counter_total", "listener", "l", "metric", ProxyStats.OVERFLOW_METRIC))
        .isEqualTo(5);
    assertThat(scrape.count("metaproxy_filter_counter_total")).isEqualTo(ProxyStats.MAX_FILTER_METRICS + 1);
  }

  @Test
  void concurrentEventLoopsLoseNoCounts() throws InterruptedException {
    RouteStats route = stats.route("l", "r", "c");
    int threads = 4;
    int perThread = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  route.requestStarted();
                  if (i % 10 == 0) {
                    route.failed(ErrorType.UPSTREAM_FAILURE, MS);
                  } else {
                    route.responded(i % 1000 * 1000L);
                  }
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (int i = 0; i < 5; i++) {
      scrape(); // scraping meanwhile must neither block nor break the counts
    }
    for (Thread worker : workers) {
      worker.join();
    }
    Scrape scrape = scrape();
    String[] labels = {"listener", "l", "route", "r", "cluster", "c"};
    assertThat(scrape.value("metaproxy_requests_total", labels)).isEqualTo(threads * perThread);
    assertThat(scrape.value("metaproxy_requests_active", labels)).isZero();
    assertThat(scrape.value("metaproxy_request_duration_seconds_count", labels)).isEqualTo(threads * perThread);
    assertThat(scrape.value("metaproxy_request_errors_total", with(labels, "type", "upstream_failure")))
        .isEqualTo(threads * perThread / 10);
  }

  @Test
  void scrapeIsPrometheusTextFormatWithTypesAndHelp() {
    stats.route("l", "r", "c").requestStarted();
    stats.downstreamConnectionOpened("l");
    String text = stats.scrapePrometheus();
    assertThat(text)
        .contains("# TYPE metaproxy_requests_total counter")
        .contains("# TYPE metaproxy_request_errors_total counter")
        .contains("# TYPE metaproxy_request_duration_seconds histogram")
        .contains("# TYPE metaproxy_requests_active gauge")
        .contains("# TYPE metaproxy_downstream_connections_active gauge")
        .contains("# TYPE metaproxy_downstream_connections_total counter")
        .contains("# HELP metaproxy_requests_total ");
    // Every sample line parses: name, optional labels, a number.
    for (String line : text.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        assertThat(line).matches(Scrape.SAMPLE.pattern());
      }
    }
  }

  @Test
  void sanitizeKeepsOnlyPrometheusLabelSafeCharacters() {
    assertThat(ProxyStats.sanitizeMetricName("a.b-c d/é_9")).isEqualTo("a_b_c_d___9");
    assertThat(ProxyStats.sanitizeMetricName("")).isEqualTo("_");
  }

  private Scrape scrape() {
    return new Scrape(stats.scrapePrometheus());
  }

  private static String[] with(String[] labels, String name, String value) {
    String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
    all[labels.length] = name;
    all[labels.length + 1] = value;
    return all;
  }

  /** The samples of a text-format scrape, by metric name and label set (label order does not matter). */
  static final class Scrape {
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Map<String, Double> samples = new TreeMap<>();

    Scrape(String text) {
      for (String line : text.split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        Matcher sample = SAMPLE.matcher(line);
        assertThat(sample.matches()).as("sample line: %s", line).isTrue();
        Map<String, String> labels = new TreeMap<>();
        if (sample.group(2) != null) {
          Matcher label = LABEL.matcher(sample.group(2));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        samples.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
      }
    }

    double value(String name, String... labelPairs) {
      Map<String, String> labels = new TreeMap<>();
      for (int i = 0; i < labelPairs.length; i += 2) {
        labels.put(labelPairs[i], labelPairs[i + 1]);
      }
      Double value = samples.get(name + labels);
      assertThat(value).as("sample %s%s in scrape; have %s", name, labels, samples.keySet()).isNotNull();
      return value;
    }

    long count(String name) {
      return samples.keySet().stream().filter(key -> key.startsWith(name + "{")).count();
    }
  }
}
