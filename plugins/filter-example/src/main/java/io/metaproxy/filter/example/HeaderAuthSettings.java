package io.metaproxy.filter.example;

import io.metaproxy.api.FilterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated settings of one {@code header_auth} filter:
 *
 * <pre>{@code
 * header: x-token                 # required: the metadata key carrying the token
 * tokens: [ alice:s3cr3t, t0k3n ] # required unless tokens_file: accepted tokens, optionally "label:token"
 * tokens_file: auth/tokens.txt    # instead of tokens: one token per line, '#' comments, relative to the config
 * methods: [ sayHello ]           # optional: check only requests whose `method` is listed
 * strip: true                     # optional, default true: remove the token before the request goes upstream
 * on_fail_message: go away        # optional: the reply text for a refused request
 * }</pre>
 *
 * <p>Validation is strict: an unknown key, a wrong type or an empty value is an {@link IllegalArgumentException}
 * naming the setting (the host adds the file and line). Messages never contain a token, because they are logged and
 * shown by {@code validate}.
 *
 * @param methods null when every request is checked
 * @param onFailMessage null for the default messages
 */
record HeaderAuthSettings(
    String header, TokenTable tokens, Set<String> methods, boolean strip, String onFailMessage) {

  static final String HEADER = "header";
  static final String TOKENS = "tokens";
  static final String TOKENS_FILE = "tokens_file";
  static final String METHODS = "methods";
  static final String STRIP = "strip";
  static final String ON_FAIL_MESSAGE = "on_fail_message";

  /** Every setting, in the order error messages list them. */
  static final List<String> ALLOWED = List.of(HEADER, TOKENS, TOKENS_FILE, METHODS, STRIP, ON_FAIL_MESSAGE);

  /**
   * Reads and checks {@code config.settings()}; reads {@code tokens_file} if given.
   *
   * @throws IllegalArgumentException naming the first setting that is wrong
   */
  static HeaderAuthSettings parse(FilterConfig config) {
    Map<String, Object> settings = config.settings();
    for (String key : settings.keySet()) {
      if (!ALLOWED.contains(key)) {
        throw new IllegalArgumentException(
            "unknown setting '" + key + "'; allowed: " + String.join(", ", ALLOWED));
      }
    }

    String header = requiredString(settings, HEADER, "the metadata key carrying the token, e.g. x-token");
    if (header.equals(HeaderAuthFilter.USER_KEY)) {
      throw new IllegalArgumentException(
          HEADER + ": must not be " + HeaderAuthFilter.USER_KEY + ", which this filter sets to the user's label");
    }

    boolean hasTokens = settings.containsKey(TOKENS);
    boolean hasFile = settings.containsKey(TOKENS_FILE);
    if (hasTokens && hasFile) {
      throw new IllegalArgumentException(TOKENS + ", " + TOKENS_FILE + ": set one of them, not both");
    }
    if (!hasTokens && !hasFile) {
      throw new IllegalArgumentException(
          TOKENS + ": required (a list of accepted tokens), or " + TOKENS_FILE + " (a file with one per line)");
    }
    TokenTable tokens = hasTokens ? tokensFromList(settings.get(TOKENS)) : tokensFromFile(config);

    Set<String> methods = null;
    if (settings.containsKey(METHODS)) {
      List<String> listed = stringList(settings.get(METHODS), METHODS, "omit it to check every request");
      methods = Set.copyOf(listed);
    }

    boolean strip = true;
    Object stripValue = settings.get(STRIP);
    if (stripValue != null) {
      if (!(stripValue instanceof Boolean flag)) {
        throw new IllegalArgumentException(STRIP + ": expected true or false, got '" + stripValue + "'");
      }
      strip = flag;
    }

    String onFailMessage = null;
    if (settings.containsKey(ON_FAIL_MESSAGE)) {
      onFailMessage = requiredString(settings, ON_FAIL_MESSAGE, "the reply text for a refused request");
    }
    return new HeaderAuthSettings(header, tokens, methods, strip, onFailMessage);
  }

  private static String requiredString(Map<String, Object> settings, String key, String what) {
    Object value = settings.get(key);
    if (value == null) {
      throw new IllegalArgumentException(key + ": required (" + what + ")");
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new IllegalArgumentException(key + ": expected a non-empty string (" + what + ")");
    }
    return text;
  }

  /** A non-empty list of non-blank strings; the error names the setting and the index, never the value. */
  private static List<String> stringList(Object value, String key, String hintWhenEmpty) {
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(key + ": expected a list");
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException(key + ": must not be empty (" + hintWhenEmpty + ")");
    }
    List<String> strings = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (!(item instanceof String text)) {
        // YAML turns 0123 into 83 and 1e3 into 1000.0: a number here is never what the user meant
        throw new IllegalArgumentException(
            key + "[" + i + "]: expected a string, got a " + typeName(item) + " (quote it in YAML)");
      }
      if (text.isBlank()) {
        throw new IllegalArgumentException(key + "[" + i + "]: must not be empty");
      }
      strings.add(text);
    }
    return strings;
  }

  private static TokenTable tokensFromList(Object value) {
    List<String> entries = stringList(value, TOKENS, "list at least one accepted token");
    List<String> where = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      where.add(TOKENS + "[" + i + "]");
    }
    return table(entries, where);
  }

  private static TokenTable tokensFromFile(FilterConfig config) {
    Object value = config.settings().get(TOKENS_FILE);
    if (!(value instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException(TOKENS_FILE + ": expected a file name");
    }
    Path file = config.resolve(name);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // NoSuchFileException's message is just the path; the exception's name says more
      String detail = e.getMessage() == null || e.getMessage().equals(file.toString()) ? "" : ": " + e.getMessage();
      throw new IllegalArgumentException(
          TOKENS_FILE + ": cannot read " + file + " (" + e.getClass().getSimpleName() + detail + ")");
    }
    List<String> entries = new ArrayList<>();
    List<String> where = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      entries.add(line);
      where.add(TOKENS_FILE + " " + file + " line " + (i + 1));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(TOKENS_FILE + ": " + file + " holds no tokens");
    }
    return table(entries, where);
  }

  /**
   * Splits {@code label:token} entries (at the first colon; an entry without one is an unlabelled token) and
   * rejects empty parts and duplicate tokens. {@code where} names each entry for error messages.
   */
  private static TokenTable table(List<String> entries, List<String> where) {
    byte[][] secrets = new byte[entries.size()][];
    String[] labels = new String[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      int colon = entry.indexOf(':');
      String label = colon < 0 ? TokenTable.UNLABELLED : entry.substring(0, colon);
      String token = colon < 0 ? entry : entry.substring(colon + 1);
      if (label.isBlank()) {
        throw new IllegalArgumentException(where.get(i) + ": empty label before ':' (write label:token, or the"
            + " token alone)");
      }
      if (token.isEmpty()) {
        throw new IllegalArgumentException(where.get(i) + ": empty token after '" + label + ":'");
      }
      secrets[i] = token.getBytes(StandardCharsets.UTF_8);
      labels[i] = label;
      for (int j = 0; j < i; j++) {
        if (Arrays.equals(secrets[i], secrets[j])) {
          throw new IllegalArgumentException(where.get(i) + ": the same token as " + where.get(j));
        }
      }
    }
    return new TokenTable(secrets, labels);
  }

  private static String typeName(Object value) {
    if (value instanceof Long || value instanceof Double) {
      return "number";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof List) {
      return "list";
    }
    if (value instanceof Map) {
      return "mapping";
    }
    return String.valueOf(value == null ? null : value.getClass().getSimpleName());
  }
}
