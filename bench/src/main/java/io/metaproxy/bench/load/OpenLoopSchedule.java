package io.metaproxy.bench.load;

/**
 * The intended send times of one connection in open loop: {@code first + round(k * interval)} for every {@code k}
 * whose time falls before {@code end}. Times are {@link System#nanoTime()} values; comparisons use differences so
 * that the clock's origin does not matter.
 */
final class OpenLoopSchedule {
  private final long first;
  private final double intervalNanos;
  private final long total;
  private long taken;
  private long next;

  /**
   * @param firstNanos the first intended time
   * @param intervalNanos nanoseconds between intended times; positive
   * @param endNanos no intended time is at or after this
   */
  OpenLoopSchedule(long firstNanos, double intervalNanos, long endNanos) {
    if (!(intervalNanos > 0)) {
      throw new IllegalArgumentException("interval must be positive: " + intervalNanos);
    }
    this.first = firstNanos;
    this.intervalNanos = intervalNanos;
    long span = endNanos - firstNanos;
    long count = span <= 0 ? 0 : (long) Math.ceil(span / intervalNanos);
    // rounding can put the last time exactly on the end; it belongs to the next window
    while (count > 0 && timeOf(count - 1) - endNanos >= 0) {
      count--;
    }
    this.total = count;
    this.next = firstNanos;
  }

  /** Nanoseconds between requests for {@code ratePerSecond} spread over {@code connections} connections. */
  static double intervalNanos(double ratePerSecond, int connections) {
    return connections * 1e9 / ratePerSecond;
  }

  /** Whether every intended time has been taken. */
  boolean finished() {
    return taken >= total;
  }

  /** Whether a request is due at {@code now}. */
  boolean due(long now) {
    return taken < total && next - now <= 0;
  }

  /** The next intended time (meaningless when {@link #finished()}). */
  long peek() {
    return next;
  }

  /** Takes the next intended time and advances. */
  long take() {
    long intended = next;
    taken++;
    next = timeOf(taken);
    return intended;
  }

  /** Intended times not yet taken. */
  long remaining() {
    return total - taken;
  }

  private long timeOf(long k) {
    return first + Math.round(k * intervalNanos);
  }
}
