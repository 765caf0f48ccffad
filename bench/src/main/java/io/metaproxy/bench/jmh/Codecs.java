package io.metaproxy.bench.jmh;

import io.metaproxy.api.CodecFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Finds codec factories on the class path the way PF4J would in a plugin: through the {@code META-INF/extensions.idx}
 * index its annotation processor writes, so that benchmarks need no compile-time link to any codec plugin.
 */
public final class Codecs {
  private Codecs() {}

  /** Every codec factory listed in an extension index on the class path. */
  public static List<CodecFactory> all() throws IOException {
    ClassLoader loader = Codecs.class.getClassLoader();
    List<CodecFactory> factories = new ArrayList<>();
    Enumeration<URL> indexes = loader.getResources("META-INF/extensions.idx");
    while (indexes.hasMoreElements()) {
      URL index = indexes.nextElement();
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(index.openStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          String className = line.trim();
          if (className.isEmpty() || className.startsWith("#")) {
            continue;
          }
          CodecFactory factory = instantiate(loader, className);
          if (factory != null) {
            factories.add(factory);
          }
        }
      }
    }
    return factories;
  }

  /** The codec factory named {@code name}. */
  public static CodecFactory named(String name) throws IOException {
    List<String> found = new ArrayList<>();
    for (CodecFactory factory : all()) {
      if (factory.name().equals(name)) {
        return factory;
      }
      found.add(factory.name());
    }
    throw new IllegalStateException("no codec plugin named '" + name + "' on the class path (found: " + found
        + "); build bench with its codec plugin, e.g. `mvn -q -DskipTests package` from the repository root");
  }

  private static CodecFactory instantiate(ClassLoader loader, String className) {
    try {
      Class<?> type = Class.forName(className, false, loader);
      if (!CodecFactory.class.isAssignableFrom(type)) {
        return null;
      }
      return (CodecFactory) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("cannot instantiate extension " + className + ": " + e, e);
    }
  }
}
