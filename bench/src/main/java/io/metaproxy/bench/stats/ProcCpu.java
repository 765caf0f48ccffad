package io.metaproxy.bench.stats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time a process has used so far, all its threads together: {@code utime + stime} of {@code /proc/<pid>/stat}, in
 * clock ticks ({@code getconf CLK_TCK}, almost always 100 per second). Differences over a step give the CPU seconds
 * the process spent on it.
 */
public final class ProcCpu {
  private static final long TICKS_PER_SECOND = readTicksPerSecond();

  private ProcCpu() {}

  /** Clock ticks per second the kernel reports times in. */
  public static long ticksPerSecond() {
    return TICKS_PER_SECOND;
  }

  private static long readTicksPerSecond() {
    try {
      Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      try (InputStream out = process.getInputStream()) {
        String text = new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0) {
          return Long.parseLong(text);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the value every Linux architecture we run on uses
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  /** Clock ticks of CPU used so far by process {@code pid}; empty when it does not exist (or this is not Linux). */
  public static OptionalLong ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      return OptionalLong.of(parseTicks(stat));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** Ticks as CPU seconds. */
  public static double seconds(long ticks) {
    return (double) ticks / ticksPerSecond();
  }

  /**
   * {@code utime + stime} from one {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may
   * itself hold spaces and parentheses, so fields are counted from the last ')': utime and stime are fields 14 and 15.
   */
  static long parseTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] fields = stat.substring(close + 2).trim().split(" +");
    // fields[0] is field 3 (state), so field n is fields[n - 3]
    return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
  }
}
