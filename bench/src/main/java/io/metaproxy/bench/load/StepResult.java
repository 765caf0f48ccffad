package io.metaproxy.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one step measured. Histograms hold nanoseconds; {@code corrected} counts from intended send times, {@code raw}
 * from actual ones (they are the same in closed loop).
 *
 * @param windowNanos how long the measuring window was open
 * @param okInWindow successful responses received inside the window: the achieved throughput's numerator
 * @param errors responses with an error status
 * @param timeouts requests never answered (timed out, evicted, or still outstanding after draining)
 * @param connectionErrors connections lost, plus the requests lost with them
 * @param unexpected responses whose id matched no outstanding request
 */
public record StepResult(
    Step step,
    long windowNanos,
    long sent,
    long ok,
    long okInWindow,
    long errors,
    long timeouts,
    long connectionErrors,
    long unexpected,
    Histogram corrected,
    Histogram raw) {

  /** Successful responses per second inside the window. */
  public double achievedRate() {
    return windowNanos <= 0 ? 0 : okInWindow * 1e9 / windowNanos;
  }

  /** Every failure: error responses, timeouts, lost connections. */
  public long failures() {
    return errors + timeouts + connectionErrors;
  }

  /** Responses of any kind: what the system under test answered. */
  public long responses() {
    return ok + errors;
  }
}
