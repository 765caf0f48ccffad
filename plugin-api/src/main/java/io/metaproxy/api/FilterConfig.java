package io.metaproxy.api;

import java.nio.file.Path;
import java.util.Map;

/** What a {@link FilterFactory} is given to build a filter: its settings and where it sits. */
public interface FilterConfig {

  /** The filter's name as configured. */
  String filterName();

  /** The listener whose chain the filter is part of. */
  String listenerName();

  /**
   * The filter's {@code config:} map as written in YAML, unmodifiable: values are String, Boolean, Long, Double,
   * List or Map. Empty when the filter has no settings.
   */
  Map<String, Object> settings();

  /** Resolves a path from the settings against the folder of the configuration file. */
  Path resolve(String path);
}
