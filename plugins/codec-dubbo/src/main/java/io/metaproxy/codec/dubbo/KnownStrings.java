package io.metaproxy.codec.dubbo;

/**
 * The attachment keys (and a few values) every Dubbo frame repeats. Decoding returns these shared instances instead
 * of allocating a new String per frame for each of them.
 */
final class KnownStrings {
  private static final String[] STRINGS = {
    "path", "interface", "version", "group", "timeout", "dubbo", "input", "async", "application",
    "remote.application", "side", "consumer", "provider", "token", "_TO", "0.0.0", "1.0.0", "2.0.2", "4.0.0",
    "true", "false", "generic", "tag", "dubbo.tag", "id", "traceId", "spanId"
  };

  /** STRINGS grouped by length: BY_LENGTH[n] holds the known strings of length n. */
  private static final String[][] BY_LENGTH = groupByLength();

  private KnownStrings() {}

  /** The shared instance equal to {@code chars[0..length)}, or null when the text is not a known one. */
  static String find(char[] chars, int length) {
    if (length >= BY_LENGTH.length) {
      return null;
    }
    for (String candidate : BY_LENGTH[length]) {
      if (matches(candidate, chars, length)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean matches(String candidate, char[] chars, int length) {
    for (int i = 0; i < length; i++) {
      if (candidate.charAt(i) != chars[i]) {
        return false;
      }
    }
    return true;
  }

  private static String[][] groupByLength() {
    int longest = 0;
    for (String s : STRINGS) {
      longest = Math.max(longest, s.length());
    }
    String[][] groups = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      int count = 0;
      for (String s : STRINGS) {
        count += s.length() == length ? 1 : 0;
      }
      groups[length] = new String[count];
      int i = 0;
      for (String s : STRINGS) {
        if (s.length() == length) {
          groups[length][i++] = s;
        }
      }
    }
    return groups;
  }
}
