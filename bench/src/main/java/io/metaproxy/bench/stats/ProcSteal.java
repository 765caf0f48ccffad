package io.metaproxy.bench.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CPU steal of the whole machine: the time a hypervisor ran someone else on this guest's virtual CPUs, from the
 * aggregate {@code cpu} line of {@code /proc/stat}. A step measured while steal was high ran on a slower machine than
 * its neighbours, so reports show the fraction beside every step.
 */
public final class ProcSteal {
  private static final Path STAT = Path.of("/proc/stat");

  private ProcSteal() {}

  /**
   * The cumulative counters of {@code /proc/stat}'s first line, in clock ticks.
   *
   * @param total every column summed (user, nice, system, idle, iowait, irq, softirq, steal; guest time is already
   *     inside user and nice, so it is not added again)
   * @param steal the steal column
   */
  public record Sample(long total, long steal) {
    /** The fraction of all CPU time that was stolen between {@code earlier} and this sample; NaN when none passed. */
    public double stealFractionSince(Sample earlier) {
      long elapsed = total - earlier.total;
      return elapsed > 0 ? (double) (steal - earlier.steal) / elapsed : Double.NaN;
    }
  }

  /** The counters now; empty where there is no {@code /proc/stat} (not Linux). */
  public static Optional<Sample> sample() {
    try {
      String text = Files.readString(STAT, StandardCharsets.US_ASCII);
      int end = text.indexOf('\n');
      return Optional.of(parse(end < 0 ? text : text.substring(0, end)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The counters of one aggregate line, {@code cpu  user nice system idle iowait irq softirq steal guest guest_nice}. */
  static Sample parse(String line) {
    String[] fields = line.trim().split(" +");
    if (fields.length < 9 || !fields[0].equals("cpu")) {
      throw new IllegalArgumentException("not the aggregate cpu line of /proc/stat: " + line);
    }
    long total = 0;
    for (int i = 1; i <= 8; i++) {
      total += Long.parseLong(fields[i]);
    }
    return new Sample(total, Long.parseLong(fields[8]));
  }
}
