package io.metaproxy.script.lua;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.CompiledScripts;
import io.metaproxy.script.ScriptSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;

/**
 * Makes {@code lua} filters: {@code - name: lua, config: { file: filters/canary.lua }}. Settings are those of {@link
 * ScriptSettings}. Registered for {@link java.util.ServiceLoader}; stateless apart from the shared compile cache, so
 * any number of instances may exist and {@link #create} may be called from any thread.
 */
public final class LuaFilterFactory implements FilterFactory {
  /** Compiled chunks by (file, content hash): a luaj Prototype is immutable, so every VM can share one. */
  private static final CompiledScripts<Prototype> COMPILED = new CompiledScripts<>();

  @Override
  public String name() {
    return "lua";
  }

  /**
   * Reads the script, compiles it (or reuses the compiled version), and builds a VM that runs its top level.
   *
   * @throws IllegalArgumentException for bad settings, and for a script that does not compile or whose top level
   *     fails, with {@code <file>:<line>: <reason>}
   */
  @Override
  public Filter create(FilterConfig config) {
    ScriptSettings settings = ScriptSettings.parse(config);
    return new LuaFilter(settings, COMPILED.get(settings, LuaFilterFactory::compile));
  }

  /** How many scripts this engine has compiled (for tests). */
  static long compilations() {
    return COMPILED.compilations();
  }

  private static Prototype compile(ScriptSettings settings) {
    try (InputStream in = new ByteArrayInputStream(settings.content())) {
      // "=" makes luaj name the chunk exactly scriptName in messages ("filters/x.lua:3: ..."), with no [string ...].
      return LuaC.instance.compile(in, "=" + settings.scriptName());
    } catch (LuaError e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
