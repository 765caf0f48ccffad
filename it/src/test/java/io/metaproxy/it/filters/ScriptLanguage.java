package io.metaproxy.it.filters;

import io.metaproxy.it.Dist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A script language of the distribution: the filter name configs use, and where its samples are in {@code
 * dist/filters/}. Whether the distribution has its engine is read from {@code dist/lib}, so a test can skip a
 * language whose engine is not built (yet) instead of failing the proxy's start on an unknown filter.
 */
enum ScriptLanguage {
  LUA("lua", "lua"),
  JS("js", "mjs"),
  WASM("wasm", "wasm");

  private final String filterName;
  private final String extension;

  ScriptLanguage(String filterName, String extension) {
    this.filterName = filterName;
    this.extension = extension;
  }

  /** The filter name in a listener's chain: {@code - name: lua}. */
  String filterName() {
    return filterName;
  }

  /** The file name extension of its scripts: {@code lua}, {@code mjs}, {@code wasm}. */
  String extension() {
    return extension;
  }

  /** {@code dist/filters/<language>/<sample>.<extension>}, e.g. {@code dist/filters/lua/canary.lua}. */
  Path sample(String name) {
    return Dist.home().resolve("filters").resolve(filterName).resolve(name + "." + extension);
  }

  /**
   * Whether {@code dist/lib} holds the engine's jar ({@code metaproxy-script-<name>-<version>.jar}; the prefix is
   * that specific because Chicory's own {@code wasm-<version>.jar} may be there too).
   */
  boolean inDistribution() {
    String prefix = "metaproxy-script-" + filterName + "-";
    try (Stream<Path> jars = Files.list(Dist.home().resolve("lib"))) {
      return jars.map(jar -> jar.getFileName().toString())
          .anyMatch(name -> name.startsWith(prefix) && name.endsWith(".jar"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Why a test of this language is skipped, when it is. */
  String missingReason() {
    return "the distribution has no " + filterName + " script engine (no metaproxy-script-" + filterName
        + "-*.jar in " + Dist.home().resolve("lib") + "): add it to it/pom.xml and rebuild dist";
  }

  @Override
  public String toString() {
    return filterName;
  }
}
