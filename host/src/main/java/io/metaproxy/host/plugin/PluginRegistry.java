package io.metaproxy.host.plugin;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.FilterFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded plugins and the factories they provide, by name. Built once per plugin load; immutable afterwards
 * except for {@link #close()}, which unloads the plugins (and so lets their class loaders be collected once nothing
 * uses their classes any more).
 */
public final class PluginRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  /** Where a factory came from, for /plugins and error messages. */
  public record Source(String pluginId, String version, Path path) {
    static final Source CLASSPATH = new Source("classpath", "", null);
  }

  /** A plugin file that could not be loaded or started, with the reason. */
  public record Failure(Path path, String reason) {}

  private final Path directory;
  private final Path shadow;
  private final PluginManager manager;
  private final Map<String, CodecFactory> codecs;
  private final Map<String, FilterFactory> filters;
  private final Map<String, Source> sources;
  private final List<Failure> failures;

  private PluginRegistry(
      Path directory,
      Path shadow,
      PluginManager manager,
      Map<String, CodecFactory> codecs,
      Map<String, FilterFactory> filters,
      Map<String, Source> sources,
      List<Failure> failures) {
    this.directory = directory;
    this.shadow = shadow;
    this.manager = manager;
    this.codecs = Collections.unmodifiableMap(codecs);
    this.filters = Collections.unmodifiableMap(filters);
    this.sources = Collections.unmodifiableMap(sources);
    this.failures = List.copyOf(failures);
  }

  /**
   * Loads every {@code *.jar} and {@code *.zip} in {@code directory} (a missing folder means no plugins) and the
   * factories on the class path. Never throws for a bad plugin: it is recorded in {@link #failures()} and logged.
   */
  public static PluginRegistry load(Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    // Each load reads private copies of the jars: users replace files in plugins/ while the old versions still serve,
    // and the JDK's jar cache would otherwise hand the old class loader's (now overwritten) file to the new one.
    Path shadow;
    try {
      shadow = Files.createTempDirectory("metaproxy-plugins-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create a folder for plugin copies", e);
    }
    DefaultPluginManager manager = new DefaultPluginManager(shadow);
    Map<String, CodecFactory> codecs = new TreeMap<>();
    Map<String, FilterFactory> filters = new TreeMap<>();
    Map<String, Source> sources = new LinkedHashMap<>();
    List<Failure> failures = new ArrayList<>();

    for (FilterFactory factory : ServiceLoader.load(FilterFactory.class, PluginRegistry.class.getClassLoader())) {
      register(filters, sources, failures, "filter", factory.name(), factory, Source.CLASSPATH, null);
    }
    for (CodecFactory factory : ServiceLoader.load(CodecFactory.class, PluginRegistry.class.getClassLoader())) {
      register(codecs, sources, failures, "codec", factory.name(), factory, Source.CLASSPATH, null);
    }

    for (Path file : pluginFiles(root, failures)) {
      String pluginId;
      try {
        Path copy = Files.copy(file, shadow.resolve(file.getFileName()));
        pluginId = manager.loadPlugin(copy);
      } catch (IOException e) {
        failures.add(new Failure(file, "not loaded: cannot copy: " + e.getMessage()));
        log.error("plugin {} not loaded: {}", file, e.toString());
        continue;
      } catch (RuntimeException e) {
        failures.add(new Failure(file, "not loaded: " + rootMessage(e)));
        log.error("plugin {} not loaded: {}", file, rootMessage(e));
        continue;
      }
      PluginState state;
      try {
        state = manager.startPlugin(pluginId);
      } catch (RuntimeException e) {
        state = PluginState.FAILED;
      }
      PluginWrapper wrapper = manager.getPlugin(pluginId);
      if (state != PluginState.STARTED) {
        Throwable cause = wrapper.getFailedException();
        String reason = "not started" + (cause == null ? "" : ": " + rootMessage(cause));
        failures.add(new Failure(file, reason));
        log.error("plugin {} ({}) {}", pluginId, file, reason);
        continue;
      }
      Source source = new Source(pluginId, wrapper.getDescriptor().getVersion(), file);
      try {
        for (CodecFactory factory : manager.getExtensions(CodecFactory.class, pluginId)) {
          register(codecs, sources, failures, "codec", factory.name(), factory, source, file);
        }
        for (FilterFactory factory : manager.getExtensions(FilterFactory.class, pluginId)) {
          register(filters, sources, failures, "filter", factory.name(), factory, source, file);
        }
      } catch (RuntimeException | LinkageError e) {
        failures.add(new Failure(file, "extensions failed: " + rootMessage(e)));
        log.error("plugin {} extensions failed: {}", pluginId, rootMessage(e));
      }
    }
    log.info(
        "plugins from {}: codecs {}, filters {}{}",
        root,
        codecs.keySet(),
        filters.keySet(),
        failures.isEmpty() ? "" : ", " + failures.size() + " failed");
    return new PluginRegistry(root, shadow, manager, codecs, filters, sources, failures);
  }

  private static <T> void register(
      Map<String, T> byName,
      Map<String, Source> sources,
      List<Failure> failures,
      String kind,
      String name,
      T factory,
      Source source,
      Path file) {
    T previous = byName.putIfAbsent(name, factory);
    if (previous != null) {
      String reason = kind + " '" + name + "' is already provided by " + sources.get(kind + ":" + name).pluginId();
      failures.add(new Failure(file, reason));
      log.error("{}: {}", file == null ? "classpath" : file, reason);
      return;
    }
    sources.put(kind + ":" + name, source);
  }

  private static List<Path> pluginFiles(Path root, List<Failure> failures) {
    if (!Files.isDirectory(root)) {
      log.warn("plugins folder {} does not exist; no plugins loaded", root);
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(p -> {
            String name = p.getFileName().toString();
            return Files.isRegularFile(p) && (name.endsWith(".jar") || name.endsWith(".zip"));
          })
          .sorted()
          .toList();
    } catch (IOException e) {
      failures.add(new Failure(root, "cannot list: " + e.getMessage()));
      return List.of();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The codec factory called {@code name}, or null. */
  public CodecFactory codec(String name) {
    return codecs.get(name);
  }

  /** The filter factory called {@code name}, or null. */
  public FilterFactory filter(String name) {
    return filters.get(name);
  }

  public Map<String, CodecFactory> codecs() {
    return codecs;
  }

  public Map<String, FilterFactory> filters() {
    return filters;
  }

  /** Where the codec or filter came from; key is {@code codec:NAME} or {@code filter:NAME}. */
  public Source source(String kindAndName) {
    return sources.get(kindAndName);
  }

  public List<Failure> failures() {
    return failures;
  }

  public Path directory() {
    return directory;
  }

  /** The PF4J plugins that started, by id, with their version and file. */
  public List<PluginWrapper> startedPlugins() {
    return manager.getStartedPlugins();
  }

  /** A JSON description for the admin API. */
  public String toJson() {
    StringBuilder json = new StringBuilder("{\"directory\":").append(Json.quote(directory.toString()));
    json.append(",\"plugins\":[");
    boolean first = true;
    for (PluginWrapper plugin : manager.getPlugins()) {
      json.append(first ? "" : ",");
      first = false;
      json.append("{\"id\":").append(Json.quote(plugin.getPluginId()))
          .append(",\"version\":").append(Json.quote(plugin.getDescriptor().getVersion()))
          .append(",\"state\":").append(Json.quote(plugin.getPluginState().toString()))
          .append(",\"path\":").append(Json.quote(String.valueOf(directory.resolve(plugin.getPluginPath().getFileName()))))
          .append('}');
    }
    json.append("],\"codecs\":").append(namesJson("codec", codecs.keySet()));
    json.append(",\"filters\":").append(namesJson("filter", filters.keySet()));
    json.append(",\"failures\":[");
    first = true;
    for (Failure failure : failures) {
      json.append(first ? "" : ",");
      first = false;
      json.append("{\"path\":").append(Json.quote(String.valueOf(failure.path())))
          .append(",\"reason\":").append(Json.quote(failure.reason())).append('}');
    }
    return json.append("]}").toString();
  }

  private String namesJson(String kind, Iterable<String> names) {
    StringBuilder json = new StringBuilder("[");
    boolean first = true;
    for (String name : names) {
      json.append(first ? "" : ",");
      first = false;
      json.append("{\"name\":").append(Json.quote(name))
          .append(",\"from\":").append(Json.quote(sources.get(kind + ":" + name).pluginId())).append('}');
    }
    return json.append(']').toString();
  }

  /**
   * Stops and unloads every plugin. Call only when nothing uses their classes any more (no snapshot built from this
   * registry still serves requests).
   */
  @Override
  public void close() {
    try {
      // PF4J 3.15's stopPlugins()/unloadPlugins() modify the lists they iterate; unloadPlugin(id) stops the plugin
      // itself, so unload one by one from a copy.
      for (PluginWrapper plugin : new ArrayList<>(manager.getPlugins())) {
        manager.unloadPlugin(plugin.getPluginId());
      }
    } catch (RuntimeException e) {
      log.warn("unloading plugins: {}", e.toString());
    }
    try (Stream<Path> files = Files.walk(shadow)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.debug("removing plugin copies in {}: {}", shadow, e.toString());
    }
  }
}
