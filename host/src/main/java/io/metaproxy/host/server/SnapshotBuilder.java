package io.metaproxy.host.server;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.host.config.ClusterConfig;
import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.ListenerConfig;
import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.filter.FilterChain;
import io.metaproxy.host.plugin.PluginRegistry;
import io.metaproxy.host.route.RouteTable;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.transport.Transport;
import io.metaproxy.host.upstream.UpstreamTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link ProxyConfig} against the loaded plugins into a {@link Snapshot}: resolves each listener's codec,
 * makes its filters (one per event loop), compiles its routes. Everything a config can get wrong that the YAML
 * loader cannot see (an unknown protocol or filter, settings a filter rejects) fails here, with file and line.
 */
public final class SnapshotBuilder {
  private SnapshotBuilder() {}

  /**
   * @param transport the running loops, or null when only validating (then one filter instance each is made)
   */
  public static Snapshot build(
      long generation, ProxyConfig config, PluginRegistry plugins, ProxyStats stats, Transport transport)
      throws ConfigException {
    int loopCount = transport == null ? 1 : transport.loopCount();
    Map<String, UpstreamTarget> targets = new HashMap<>();
    for (ClusterConfig cluster : config.clusters()) {
      targets.put(cluster.name(), new UpstreamTarget(cluster, loopCount));
    }
    Path configDirectory = config.source().toAbsolutePath().getParent();
    Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();
    List<FilterChain> built = new ArrayList<>();
    try {
      for (ListenerConfig listener : config.listeners()) {
        CodecFactory codec = plugins.codec(listener.protocol());
        if (codec == null) {
          throw new ConfigException(
              new io.metaproxy.host.config.Location(
                  listener.location().file(), listener.location().line(), listener.location().field() + ".protocol"),
              "no codec plugin provides protocol '" + listener.protocol() + "' (loaded: "
                  + String.join(", ", plugins.codecs().keySet()) + "; plugins folder " + plugins.directory() + ")");
        }
        FilterChain chain = new FilterChain(listener.name(), listener.filters(), plugins, configDirectory, loopCount);
        built.add(chain);
        listeners.put(listener.name(), new ListenerRuntime(
            listener, codec, new RouteTable(listener.routeConfig()), chain, targets, stats, transport));
      }
    } catch (ConfigException e) {
      built.forEach(FilterChain::closeAll);
      throw e;
    }
    return new Snapshot(generation, config, plugins, listeners, loopCount);
  }
}
