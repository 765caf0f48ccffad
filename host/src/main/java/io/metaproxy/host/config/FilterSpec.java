package io.metaproxy.host.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One filter in a chain: its name (a FilterFactory's name) and its {@code config:} map as written (unmodifiable,
 * nested maps and lists unmodifiable too; scalars are String, Boolean, Long, Double).
 */
public record FilterSpec(String name, Map<String, Object> settings, Location location) {
  public FilterSpec {
    // Shallow, order-keeping copy: settings print in the order written. ConfigLoader makes nested values immutable.
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }
}
