package io.metaproxy.host.filter;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.FilterSpec;
import io.metaproxy.host.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's filters for one snapshot: an instance of each filter per event loop, made when the snapshot is
 * built (so configuration errors surface at validate and reload time) and closed per loop when the snapshot is
 * retired and the loop's last request on it has finished.
 */
public final class FilterChain {
  private static final Logger log = LoggerFactory.getLogger(FilterChain.class);

  private final String[] names;
  private final Filter[][] byLoop;

  /**
   * @throws ConfigException naming the filter's file, line and field when a factory is missing or rejects its
   *     settings; instances made before the failure are closed
   */
  public FilterChain(
      String listenerName, List<FilterSpec> specs, PluginRegistry plugins, Path configDirectory, int loopCount)
      throws ConfigException {
    this.names = specs.stream().map(FilterSpec::name).toArray(String[]::new);
    this.byLoop = new Filter[loopCount][specs.size()];
    FilterFactory[] factories = new FilterFactory[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      FilterSpec spec = specs.get(i);
      factories[i] = plugins.filter(spec.name());
      if (factories[i] == null) {
        throw spec.location().error(
            "no filter named '" + spec.name() + "' (available: " + String.join(", ", plugins.filters().keySet())
                + "; is its plugin in " + plugins.directory() + "?)");
      }
    }
    try {
      for (int loop = 0; loop < loopCount; loop++) {
        for (int i = 0; i < specs.size(); i++) {
          FilterSpec spec = specs.get(i);
          byLoop[loop][i] = create(factories[i], new Config(spec, listenerName, configDirectory), spec);
        }
      }
    } catch (ConfigException e) {
      closeAll();
      throw e;
    }
  }

  private static Filter create(FilterFactory factory, FilterConfig config, FilterSpec spec) throws ConfigException {
    try {
      Filter filter = factory.create(config);
      if (filter == null) {
        throw spec.location().error("filter '" + spec.name() + "' factory returned no filter");
      }
      return filter;
    } catch (IllegalArgumentException e) {
      throw spec.location().error("filter '" + spec.name() + "': " + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      throw spec.location().error("filter '" + spec.name() + "' failed to start: " + e);
    }
  }

  /** The filters of loop {@code loopIndex}, in request order. The array must not be changed. */
  public Filter[] forLoop(int loopIndex) {
    return byLoop[loopIndex];
  }

  /** Filter names in request order. */
  public String name(int index) {
    return names[index];
  }

  public int size() {
    return names.length;
  }

  /** Closes loop {@code loopIndex}'s instances; call on that loop when nothing uses them any more. */
  public void closeLoop(int loopIndex) {
    Filter[] filters = byLoop[loopIndex];
    for (int i = 0; i < filters.length; i++) {
      if (filters[i] != null) {
        try {
          filters[i].close();
        } catch (RuntimeException e) {
          log.warn("closing filter {}: {}", names[i], e.toString());
        }
        filters[i] = null;
      }
    }
  }

  /** Closes every instance (a snapshot that never served, e.g. after validate). */
  public void closeAll() {
    for (int loop = 0; loop < byLoop.length; loop++) {
      closeLoop(loop);
    }
  }

  /** The filter setting the host itself handles: reload when the filter's {@code file} changes. */
  public static final String WATCH = "watch";

  /** The files of filters configured with {@code watch: true}, resolved against the config folder. */
  public static List<Path> watchedFiles(List<FilterSpec> specs, Path configDirectory) {
    return specs.stream()
        .filter(spec -> Boolean.TRUE.equals(spec.settings().get(WATCH)) && spec.settings().get("file") instanceof String)
        .map(spec -> configDirectory.resolve((String) spec.settings().get("file")).normalize())
        .toList();
  }

  private record Config(FilterSpec spec, String listenerName, Path configDirectory) implements FilterConfig {
    @Override
    public String filterName() {
      return spec.name();
    }

    @Override
    public Map<String, Object> settings() {
      if (!spec.settings().containsKey(WATCH)) {
        return spec.settings();
      }
      Map<String, Object> withoutWatch = new java.util.LinkedHashMap<>(spec.settings());
      withoutWatch.remove(WATCH);
      return java.util.Collections.unmodifiableMap(withoutWatch);
    }

    @Override
    public Path resolve(String path) {
      return configDirectory.resolve(path).normalize();
    }
  }
}
