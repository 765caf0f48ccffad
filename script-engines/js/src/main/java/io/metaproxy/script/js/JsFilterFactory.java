package io.metaproxy.script.js;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.CompiledScripts;
import io.metaproxy.script.ScriptSettings;
import org.graalvm.polyglot.Source;

/**
 * Makes {@code js} filters: {@code - name: js, config: { file: filters/canary.mjs }}. Settings are those of {@link
 * ScriptSettings}; the script is always an ES module. Registered for {@link java.util.ServiceLoader}; any number of
 * instances may exist and {@link #create} may be called from any thread.
 */
public final class JsFilterFactory implements FilterFactory {
  /**
   * Sources by (file, content hash). GraalJS caches parsed code per Source in the shared Engine, so handing every
   * Context the same Source is what makes the N event loops parse a script once.
   */
  private static final CompiledScripts<Source> SOURCES = new CompiledScripts<>();

  @Override
  public String name() {
    return "js";
  }

  /**
   * Reads the script and builds a Context that evaluates it.
   *
   * @throws IllegalArgumentException for bad settings, and for a module that does not parse or whose top level
   *     fails, with {@code <file>:<line>: <reason>}
   */
  @Override
  public Filter create(FilterConfig config) {
    ScriptSettings settings = ScriptSettings.parse(config);
    return new JsFilter(settings, SOURCES.get(settings, JsFilterFactory::source), JsEngine.shared());
  }

  /** How many Sources this engine has built (for tests). */
  static long compilations() {
    return SOURCES.compilations();
  }

  private static Source source(ScriptSettings settings) {
    return Source.newBuilder("js", settings.text(), settings.scriptName())
        .mimeType("application/javascript+module")
        .cached(true)
        .buildLiteral();
  }
}
