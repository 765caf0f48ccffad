package io.metaproxy.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one event loop's connections measured during the current step. Touched only on that loop's thread; the
 * controller reads it through tasks submitted to the loop ({@link #snapshot}, {@link #takeInterval}).
 */
final class LoopStats {
  /** Longest latency the histograms track; longer ones are recorded as this. */
  static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

  final List<LoadConnection> connections = new ArrayList<>();
  /** From the intended send time: corrected for coordinated omission. */
  final Histogram corrected = newHistogram();
  /** From the actual send time. */
  final Histogram raw = newHistogram();
  /** Corrected latencies since the last progress line. */
  final Histogram interval = newHistogram();

  long sent;
  long ok;
  /** Responses with an error status. */
  long errors;
  /** Requests unanswered within the timeout, evicted, or still outstanding when the step gave up draining. */
  long timeouts;
  /** Connections closed under the generator, and requests lost with them. */
  long connectionErrors;
  /** Responses whose id matched nothing outstanding (late answers to requests already given up). */
  long unexpected;
  /** Successful responses received while the step's measuring window was open. */
  long okInWindow;
  boolean windowOpen;

  static Histogram newHistogram() {
    return new Histogram(MAX_LATENCY_NANOS, 3);
  }

  void recordOk(long correctedNanos, long rawNanos) {
    ok++;
    if (windowOpen) {
      okInWindow++;
    }
    long value = Math.min(Math.max(correctedNanos, 0), MAX_LATENCY_NANOS);
    corrected.recordValue(value);
    interval.recordValue(value);
    raw.recordValue(Math.min(Math.max(rawNanos, 0), MAX_LATENCY_NANOS));
  }

  void reset() {
    corrected.reset();
    raw.reset();
    interval.reset();
    sent = ok = errors = timeouts = connectionErrors = unexpected = okInWindow = 0;
  }

  long outstanding() {
    long outstanding = 0;
    for (LoadConnection connection : connections) {
      outstanding += connection.ledger().outstanding();
    }
    return outstanding;
  }

  /** Copies of the counters and histograms; for the controller. */
  Totals snapshot() {
    Totals totals = new Totals();
    totals.add(this);
    return totals;
  }

  /** The interval histogram's copy, then resets it; for progress lines. */
  Histogram takeInterval() {
    Histogram copy = interval.copy();
    interval.reset();
    return copy;
  }

  /** Counters and histograms summed over loops; owned by the controller thread. */
  static final class Totals {
    final Histogram corrected = newHistogram();
    final Histogram raw = newHistogram();
    long sent;
    long ok;
    long errors;
    long timeouts;
    long connectionErrors;
    long unexpected;
    long okInWindow;
    long outstanding;

    void add(LoopStats stats) {
      corrected.add(stats.corrected);
      raw.add(stats.raw);
      sent += stats.sent;
      ok += stats.ok;
      errors += stats.errors;
      timeouts += stats.timeouts;
      connectionErrors += stats.connectionErrors;
      unexpected += stats.unexpected;
      okInWindow += stats.okInWindow;
      outstanding += stats.outstanding();
    }

    void add(Totals other) {
      corrected.add(other.corrected);
      raw.add(other.raw);
      sent += other.sent;
      ok += other.ok;
      errors += other.errors;
      timeouts += other.timeouts;
      connectionErrors += other.connectionErrors;
      unexpected += other.unexpected;
      okInWindow += other.okInWindow;
      outstanding += other.outstanding;
    }
  }
}
