package io.metaproxy.host.stats;

import io.metaproxy.api.ErrorType;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request statistics of one (listener, route, cluster): requests, requests in flight, errors by {@link
 * ErrorType} and a latency histogram. Obtain it from {@link ProxyStats#route}; the same labels always give the
 * same instance, so counts survive a config reload.
 *
 * <p>Thread-safe. The methods here run per request on several event loops at once, so they neither allocate nor
 * lock: every series is a {@link LongAdder} created with the handle (one per error type, one per histogram
 * bucket), and the Prometheus snapshot is built from them only when scraped. (The Prometheus client's own {@code
 * Gauge.inc} allocates a lambda per call and its {@code Histogram.observe} allocates and takes a lock while a
 * scrape runs, which is why these series are not {@code io.prometheus.metrics.core} metrics.)
 *
 * <p>Every request is counted once by {@link #requestStarted()} when it is routed and ends exactly once, by {@link
 * #responded(long)}, {@link #failed(ErrorType, long)} or, when it was oneway and has been forwarded, {@link
 * #oneway()}.
 */
public final class RouteStats {
  /** Histogram upper bounds in seconds, 0.1 ms to 10 s; a last, implicit bucket is +Inf. */
  static final double[] BUCKET_BOUNDS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /** The same bounds in nanoseconds, so recording compares longs and never converts. */
  private static final long[] BUCKET_BOUNDS_NANOS = new long[BUCKET_BOUNDS_SECONDS.length];

  static {
    for (int i = 0; i < BUCKET_BOUNDS_SECONDS.length; i++) {
      BUCKET_BOUNDS_NANOS[i] = Math.round(BUCKET_BOUNDS_SECONDS[i] * 1e9);
    }
  }

  private static final ErrorType[] ERROR_TYPES = ErrorType.values();

  private final Labels labels;
  private final LongAdder requests = new LongAdder();
  private final LongAdder active = new LongAdder();
  /** Indexed by {@link ErrorType#ordinal()}. */
  private final LongAdder[] errors = newAdders(ERROR_TYPES.length);
  /** Non-cumulative counts; index {@code BUCKET_BOUNDS_NANOS.length} is the +Inf bucket. */
  private final LongAdder[] buckets = newAdders(BUCKET_BOUNDS_NANOS.length + 1);
  private final LongAdder latencySumNanos = new LongAdder();

  RouteStats(String listener, String route, String cluster) {
    this.labels = Labels.of("listener", listener, "route", route, "cluster", cluster);
  }

  /** A request was routed here: one more in flight and one more in {@code metaproxy_requests_total}. */
  public void requestStarted() {
    requests.increment();
    active.increment();
  }

  /** The upstream answered a request begun with {@link #requestStarted()} after {@code latencyNanos}. */
  public void responded(long latencyNanos) {
    active.decrement();
    record(latencyNanos);
  }

  /**
   * The proxy answered a request begun with {@link #requestStarted()} with an error of {@code type} after {@code
   * latencyNanos}; counted in {@code metaproxy_request_errors_total{type}} and in the latency histogram.
   */
  public void failed(ErrorType type, long latencyNanos) {
    active.decrement();
    errors[type.ordinal()].increment();
    record(latencyNanos);
  }

  /**
   * A request begun with {@link #requestStarted()} turned out to be oneway and was forwarded: it leaves the
   * in-flight gauge, but no response will come, so it is neither an error nor a latency observation.
   */
  public void oneway() {
    active.decrement();
  }

  private void record(long latencyNanos) {
    long nanos = Math.max(0, latencyNanos);
    int bucket = 0;
    // Linear: 16 bounds, and most RPCs land in the first few.
    while (bucket < BUCKET_BOUNDS_NANOS.length && nanos > BUCKET_BOUNDS_NANOS[bucket]) {
      bucket++;
    }
    buckets[bucket].increment();
    latencySumNanos.add(nanos);
  }

  // ---- read side, used by ProxyStats when scraping ----

  Labels labels() {
    return labels;
  }

  long requests() {
    return requests.sum();
  }

  long active() {
    return active.sum();
  }

  long errors(ErrorType type) {
    return errors[type.ordinal()].sum();
  }

  /**
   * The count of each bucket of {@link #BUCKET_BOUNDS_SECONDS} followed by +Inf, not cumulative. Each bucket is
   * read once, so the histogram's count (their sum) always equals its +Inf bucket, even while requests finish.
   */
  long[] bucketCounts() {
    long[] counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      counts[i] = buckets[i].sum();
    }
    return counts;
  }

  double latencySumSeconds() {
    return latencySumNanos.sum() / 1e9;
  }

  private static LongAdder[] newAdders(int count) {
    LongAdder[] adders = new LongAdder[count];
    for (int i = 0; i < count; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
