package io.metaproxy.script.wasm;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.CompiledScripts;
import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptSettings;
import java.util.Locale;
import java.util.Set;

/**
 * Filter {@code wasm}: a WebAssembly module as a filter, on Chicory with its ahead-of-time compiler.
 *
 * <pre>
 * - name: wasm
 *   config:
 *     file: filters/canary.wasm   # required (or source: with WebAssembly text inline, when wabt is present)
 *     abi: proxy-wasm             # metaproxy | proxy-wasm; default: detected from the module's exports
 *     config: "any text"          # proxy-wasm: the plugin configuration (proxy_on_configure)
 *     root_id: my_root            # proxy-wasm: the plugin_root_id property (AssemblyScript SDK picks its root by it)
 *     log_level: info             # proxy-wasm: trace | debug | info (default) | warn | error | critical: what
 *                                 #   proxy_get_log_level reports; proxy_log drops messages below it
 *     on_error: reply             # reply (default) | continue
 *     budget: 50ms                # time one call may take (default 50ms)
 * </pre>
 *
 * <p>The host calls {@link #create} once per event loop for each configuration snapshot; the module is parsed and
 * compiled once per (path, content hash) and each filter gets its own instance of it. Registered for {@link
 * java.util.ServiceLoader} in {@code META-INF/services}.
 */
public final class WasmFilterFactory implements FilterFactory {
  /** The name configuration uses. */
  public static final String NAME = "wasm";

  static final String CONFIG = "config";
  static final String ROOT_ID = "root_id";
  static final String LOG_LEVEL = "log_level";
  /** Accepted and ignored here: watching the file for changes is the host's business. */
  static final String WATCH = "watch";

  private static final CompiledScripts<WasmProgram> PROGRAMS = new CompiledScripts<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Filter create(FilterConfig config) {
    ScriptSettings settings = ScriptSettings.parse(config, Set.of(Abi.SETTING, CONFIG, ROOT_ID, LOG_LEVEL, WATCH));
    Abi requested = Abi.parse(config.settings().get(Abi.SETTING));
    String pluginConfig = text(config, CONFIG);
    String rootId = text(config, ROOT_ID);
    String logLevel = text(config, LOG_LEVEL);
    WasmProgram program = PROGRAMS.get(settings, WasmProgram::load);
    Abi abi = requested != null ? requested : program.detectAbi();
    if (abi == Abi.METAPROXY) {
      if (pluginConfig != null || rootId != null || logLevel != null) {
        throw new IllegalArgumentException(
            (pluginConfig != null ? CONFIG : rootId != null ? ROOT_ID : LOG_LEVEL) + ": only proxy-wasm modules take it; "
                + ScriptFailure.format(settings.scriptName(), 0, "uses the metaproxy ABI"));
      }
      return new MetaproxyAbiFilter(settings, program);
    }
    return new ProxyWasmFilter(settings, program, config.filterName(), pluginConfig, rootId, logLevel(logLevel));
  }

  /** The {@code log_level:} setting as a proxy-wasm level number (trace 0 .. critical 5); null means info. */
  static int logLevel(String setting) {
    if (setting == null) {
      return ProxyWasmFilter.DEFAULT_LOG_LEVEL;
    }
    int level = ProxyWasmFilter.LOG_LEVEL_NAMES.indexOf(setting.strip().toLowerCase(Locale.ROOT));
    if (level < 0) {
      throw new IllegalArgumentException(
          LOG_LEVEL + ": expected one of " + String.join(", ", ProxyWasmFilter.LOG_LEVEL_NAMES) + ", got '" + setting + "'");
    }
    return level;
  }

  /** How many modules were compiled so far (for tests and diagnostics). */
  public static long compilations() {
    return PROGRAMS.compilations();
  }

  private static String text(FilterConfig config, String setting) {
    Object value = config.settings().get(setting);
    if (value == null) {
      return null;
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw new IllegalArgumentException(setting + ": expected text, got '" + value + "'");
  }
}
