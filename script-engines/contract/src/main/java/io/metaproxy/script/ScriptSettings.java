package io.metaproxy.script;

import io.metaproxy.api.FilterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings every script filter accepts, read from {@link FilterConfig#settings()}, with the script's content:
 *
 * <pre>
 * - name: lua
 *   config:
 *     file: filters/canary.lua     # or  source: "function on_request(ctx) ... end"  (exactly one of the two)
 *     on_error: reply              # reply (default) | continue
 *     budget: 50ms                 # time one call may take (default 50ms)
 * </pre>
 *
 * <p>Immutable. {@link #parse} reads the file, so a snapshot built later (a reload) sees the file as it is then.
 */
public final class ScriptSettings {
  /** Path of the script, resolved against the configuration file's folder. */
  public static final String FILE = "file";
  /** The script itself, inline. */
  public static final String SOURCE = "source";
  /** {@code reply} or {@code continue}; see {@link OnError}. */
  public static final String ON_ERROR = "on_error";
  /** How long one call of the script may run, e.g. {@code 5ms}. */
  public static final String BUDGET = "budget";

  /** The budget when none is configured. */
  public static final Duration DEFAULT_BUDGET = Duration.ofMillis(50);

  /**
   * The least time the script's top level (loading, defining its functions) may take. It runs once per filter when a
   * snapshot is built, off the message path, and the first run on a cold JVM is slow, so the call budget is too tight
   * for it; but a top level that never ends must still fail the snapshot rather than hang it.
   */
  public static final Duration MIN_LOAD_BUDGET = Duration.ofSeconds(2);

  /** The name inline scripts get in error messages. */
  public static final String INLINE_NAME = "<inline>";

  private static final List<String> COMMON_SETTINGS = List.of(FILE, SOURCE, ON_ERROR, BUDGET);

  private final String scriptName;
  private final Path path;
  private final byte[] content;
  private final String contentHash;
  private final OnError onError;
  private final Duration budget;

  private ScriptSettings(
      String scriptName, Path path, byte[] content, OnError onError, Duration budget) {
    this.scriptName = scriptName;
    this.path = path;
    this.content = content;
    this.contentHash = sha256(content);
    this.onError = onError;
    this.budget = budget;
  }

  /**
   * Reads the common settings and the script.
   *
   * @throws IllegalArgumentException naming the setting at fault: an unknown setting, neither or both of {@code
   *     file}/{@code source}, a file that cannot be read, a bad {@code on_error} or {@code budget}
   */
  public static ScriptSettings parse(FilterConfig config) {
    return parse(config, Set.of());
  }

  /**
   * Like {@link #parse(FilterConfig)}, for an engine that accepts settings of its own besides the common ones; the
   * engine reads those itself from {@link FilterConfig#settings()}.
   */
  public static ScriptSettings parse(FilterConfig config, Set<String> engineSettings) {
    Map<String, Object> settings = config.settings();
    Set<String> accepted = new LinkedHashSet<>(COMMON_SETTINGS);
    accepted.addAll(engineSettings);
    for (String key : settings.keySet()) {
      if (!accepted.contains(key)) {
        throw new IllegalArgumentException(
            "unknown setting '" + key + "'; expected " + String.join(", ", new ArrayList<>(accepted)));
      }
    }

    Object file = settings.get(FILE);
    Object source = settings.get(SOURCE);
    if ((file == null) == (source == null)) {
      throw new IllegalArgumentException(
          file == null ? "file: required (or source: with the script inline)" : "file: and source: exclude each other");
    }
    String scriptName;
    Path path = null;
    byte[] content;
    if (file != null) {
      if (!(file instanceof String fileName) || fileName.isBlank()) {
        throw new IllegalArgumentException("file: expected a path, got '" + file + "'");
      }
      scriptName = fileName;
      path = config.resolve(fileName);
      content = read(path);
    } else {
      if (!(source instanceof String text)) {
        throw new IllegalArgumentException("source: expected the script as a string, got '" + source + "'");
      }
      scriptName = INLINE_NAME;
      content = text.getBytes(StandardCharsets.UTF_8);
    }

    OnError onError = settings.containsKey(ON_ERROR) ? OnError.parse(settings.get(ON_ERROR)) : OnError.REPLY;
    Duration budget =
        settings.containsKey(BUDGET) ? Durations.parse(BUDGET, settings.get(BUDGET)) : DEFAULT_BUDGET;
    return new ScriptSettings(scriptName, path, content, onError, budget);
  }

  /**
   * The script's name in messages: the {@code file:} setting as written (e.g. {@code filters/canary.lua}), or {@value
   * #INLINE_NAME}. Errors read {@code <scriptName>:<line>: <reason>}.
   */
  public String scriptName() {
    return scriptName;
  }

  /** The resolved file, or null for an inline script. */
  public Path path() {
    return path;
  }

  /** The script's bytes (a copy). */
  public byte[] content() {
    return content.clone();
  }

  /** The script as text, decoded as UTF-8. */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  /** SHA-256 of the content, in hex: with {@link #cacheKey()} it identifies one version of one script. */
  public String contentHash() {
    return contentHash;
  }

  /** Where the script came from: the absolute file path, or {@value #INLINE_NAME}. */
  public String cacheKey() {
    return path == null ? INLINE_NAME : path.toAbsolutePath().normalize().toString();
  }

  public OnError onError() {
    return onError;
  }

  /** How long one call ({@code on_request} or {@code on_response}) may run. */
  public Duration budget() {
    return budget;
  }

  /** {@code duration} as configuration writes it: {@code 10ms}, {@code 500us}, {@code 2s}. */
  public static String describe(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
  }

  /** How long the script's top level may run when a filter is built: the budget, but at least {@link #MIN_LOAD_BUDGET}. */
  public Duration loadBudget() {
    return budget.compareTo(MIN_LOAD_BUDGET) > 0 ? budget : MIN_LOAD_BUDGET;
  }

  private static byte[] read(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("file: " + path + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("file: cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ScriptSettings{" + scriptName + " on_error=" + onError.settingName() + " budget=" + budget + "}";
  }
}
