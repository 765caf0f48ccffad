package io.metaproxy.script;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration strings configuration uses ({@code 500us}, {@code 10ms}, {@code 3s}, {@code 1m}). */
final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ns|us|ms|s|m)");

  private Durations() {}

  /**
   * Parses {@code value} of setting {@code setting}.
   *
   * @throws IllegalArgumentException naming the setting when the value is not a positive duration
   */
  static Duration parse(String setting, Object value) {
    Matcher matcher = value instanceof String text ? DURATION.matcher(text.strip()) : null;
    if (matcher == null || !matcher.matches()) {
      throw new IllegalArgumentException(
          setting + ": expected a duration such as 10ms, 500us or 1s, got '" + value + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration =
        switch (matcher.group(2)) {
          case "ns" -> Duration.ofNanos(amount);
          case "us" -> Duration.ofNanos(amount * 1_000);
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    if (duration.isZero()) {
      throw new IllegalArgumentException(setting + ": must be more than zero, got '" + value + "'");
    }
    return duration;
  }
}
