package io.metaproxy.host.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax every metaproxy setting uses: whole numbers with a unit, {@code ms}, {@code s}, {@code m} or
 * {@code h}, optionally chained largest first as in Go ({@code 1m30s}), or a bare {@code 0}. Public so that filter
 * factories read durations inside their {@code config:} maps (which arrive as strings) the same way.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final String EXPECTED = "a duration like 300ms, 3s, 1m, 1h or 0";

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what is expected, when {@code text} is not a duration
   */
  public static Duration parse(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("must be " + EXPECTED);
    }
    if (text.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + text + "' has no unit; must be " + EXPECTED);
    }
    Matcher part = PART.matcher(text);
    Duration total = Duration.ZERO;
    int position = 0;
    int previousRank = Integer.MAX_VALUE;
    while (position < text.length()) {
      if (!part.find(position) || part.start() != position) {
        throw new IllegalArgumentException("'" + text + "' is not " + EXPECTED);
      }
      int rank = rank(part.group(2));
      // Largest unit first and each unit once, so "1s1m" or "1s1s" are caught as the typos they likely are.
      if (rank >= previousRank) {
        throw new IllegalArgumentException(
            "'" + text + "' is not " + EXPECTED + " (chain units largest first, each once, as in 1m30s)");
      }
      previousRank = rank;
      try {
        long amount = Long.parseLong(part.group(1));
        total = total.plus(switch (part.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        });
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is too long for " + EXPECTED);
      }
      position = part.end();
    }
    return total;
  }

  /**
   * Formats {@code duration} in the syntax {@link #parse} reads, with the fewest parts ({@code 90s} becomes {@code
   * 1m30s}); for config dumps and messages.
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0";
    }
    if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
      return duration.toString();
    }
    StringBuilder out = new StringBuilder();
    long millis = duration.toMillis();
    long[] units = {3_600_000L, 60_000L, 1_000L, 1L};
    String[] names = {"h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (millis >= units[i]) {
        out.append(millis / units[i]).append(names[i]);
        millis %= units[i];
      }
    }
    return out.toString();
  }

  private static int rank(String unit) {
    return switch (unit) {
      case "ms" -> 0;
      case "s" -> 1;
      case "m" -> 2;
      default -> 3;
    };
  }
}
