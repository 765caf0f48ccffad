package io.metaproxy.bench.load;

import java.time.Duration;
import java.util.Locale;

/**
 * One measured step of a run.
 *
 * @param label names the step in reports, e.g. {@code closed} or {@code open-50%}
 * @param mode closed loop (max throughput) or open loop (fixed rate)
 * @param rate requests per second over all connections (open loop); 0 for closed loop
 * @param duration how long requests are sent
 * @param depth requests in flight per connection (closed loop)
 */
public record Step(String label, Mode mode, double rate, Duration duration, int depth) {
  public enum Mode {
    CLOSED, OPEN;

    /** "closed" or "open". */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Step {
    if (mode == Mode.OPEN && !(rate > 0)) {
      throw new IllegalArgumentException("an open-loop step needs a positive rate, got " + rate);
    }
    if (mode == Mode.CLOSED && depth < 1) {
      throw new IllegalArgumentException("a closed-loop step needs a depth of at least 1, got " + depth);
    }
  }

  public static Step closed(String label, Duration duration, int depth) {
    return new Step(label, Mode.CLOSED, 0, duration, depth);
  }

  public static Step open(String label, double rate, Duration duration) {
    return new Step(label, Mode.OPEN, rate, duration, 0);
  }
}
