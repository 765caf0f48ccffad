package io.metaproxy.host.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** One whole configuration file, validated. Immutable. */
public record ProxyConfig(
    Path source, AdminConfig admin, PluginsConfig plugins, List<ListenerConfig> listeners, List<ClusterConfig> clusters) {
  public ProxyConfig {
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
  }

  /** The cluster named {@code name}, if configured. */
  public Optional<ClusterConfig> cluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
