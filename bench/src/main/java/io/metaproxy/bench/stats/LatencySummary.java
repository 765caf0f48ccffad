package io.metaproxy.bench.stats;

import org.HdrHistogram.Histogram;

/**
 * The percentiles reports show, in milliseconds, from a histogram of nanoseconds. All NaN when the histogram is empty.
 */
public record LatencySummary(double p50, double p90, double p99, double p999, double max, double mean, long count) {

  public static LatencySummary of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      return new LatencySummary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }
    return new LatencySummary(
        millis(nanos.getValueAtPercentile(50)),
        millis(nanos.getValueAtPercentile(90)),
        millis(nanos.getValueAtPercentile(99)),
        millis(nanos.getValueAtPercentile(99.9)),
        millis(nanos.getMaxValue()),
        nanos.getMean() / 1e6,
        nanos.getTotalCount());
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
