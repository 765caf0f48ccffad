package io.metaproxy.host.config;

import java.util.regex.Pattern;

/**
 * Envoy HeaderMatcher semantics on one Metadata key: exactly one of {@code exact}, {@code prefix}, {@code suffix},
 * {@code regex} (whole-value match), {@code present}; {@code invert} negates the result.
 *
 * @param value the string for EXACT, PREFIX and SUFFIX; the pattern text for REGEX; "true"/"false" for PRESENT
 * @param regex the compiled pattern for REGEX, else null
 */
public record MetadataMatcher(String name, Kind kind, String value, Pattern regex, boolean invert) {
  public enum Kind { EXACT, PREFIX, SUFFIX, REGEX, PRESENT }

  /** Whether the matcher holds for {@code actual} (null when the key is absent). */
  public boolean matches(String actual) {
    boolean result;
    switch (kind) {
      case PRESENT -> result = (actual != null) == Boolean.parseBoolean(value);
      case EXACT -> result = actual != null && actual.equals(value);
      case PREFIX -> result = actual != null && actual.startsWith(value);
      case SUFFIX -> result = actual != null && actual.endsWith(value);
      case REGEX -> result = actual != null && regex.matcher(actual).matches();
      default -> throw new AssertionError(kind);
    }
    return result != invert;
  }
}
