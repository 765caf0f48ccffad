package io.metaproxy.script;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Compiled scripts shared by the filters an engine builds, keyed by (where the script came from, content hash).
 *
 * <p>The host builds one filter per event loop for every snapshot; with this cache the first build compiles and the
 * others reuse the result, and a reload whose script did not change compiles nothing. A changed file has a new hash,
 * so it is compiled afresh. The cache is small and least-recently-used, so the versions a long series of reloads
 * leaves behind do not pile up.
 *
 * <p>Thread-safe. Used only while building filters, never on the message path, so one lock is enough; compiling under
 * it is what makes the N concurrent builds of one snapshot compile once.
 *
 * @param <T> the engine's compiled form, which must be safe to share between threads (immutable)
 */
public final class CompiledScripts<T> {
  private static final int MAX_ENTRIES = 64;

  private final Map<String, T> entries =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
          return size() > MAX_ENTRIES;
        }
      };
  private long compilations;

  /**
   * The compiled form of {@code settings}' script, compiling it with {@code compiler} when this version has not been
   * seen. An exception from the compiler propagates and nothing is cached.
   */
  public synchronized T get(ScriptSettings settings, Function<ScriptSettings, T> compiler) {
    String key = settings.cacheKey() + '#' + settings.contentHash();
    T compiled = entries.get(key);
    if (compiled == null) {
      compiled = compiler.apply(settings);
      compilations++;
      entries.put(key, compiled);
    }
    return compiled;
  }

  /** How many times a script was compiled (for tests and diagnostics). */
  public synchronized long compilations() {
    return compilations;
  }
}
