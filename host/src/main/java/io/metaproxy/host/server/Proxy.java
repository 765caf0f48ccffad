package io.metaproxy.host.server;

import io.metaproxy.host.admin.AdminBackend;
import io.metaproxy.host.admin.AdminServer;
import io.metaproxy.host.admin.ReloadResult;
import io.metaproxy.host.config.ClusterConfig;
import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.ConfigLoader;
import io.metaproxy.host.config.ListenerConfig;
import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.listener.ListenerServer;
import io.metaproxy.host.listener.SnapshotSource;
import io.metaproxy.host.plugin.PluginRegistry;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.transport.Transport;
import io.metaproxy.host.upstream.UpstreamPools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: event loops, listeners, admin server, plugins and the current snapshot. {@link #reload()} is the
 * one way configuration changes at run time (admin {@code POST /reload}, {@code bin/metaproxy reload}).
 */
public final class Proxy implements AdminBackend, SnapshotSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Proxy.class);

  private final Path configFile;
  private final ProxyStats stats = new ProxyStats();
  private final Transport transport;
  private final Map<String, ListenerServer> servers = new LinkedHashMap<>();
  /** How many live snapshots use each registry; a registry is closed when its count reaches zero. */
  private final Map<PluginRegistry, Integer> registryUsers = new IdentityHashMap<>();
  /** Guards registryUsers; not {@code this}, because event loops take it while close() waits for them to stop. */
  private final Object registryLock = new Object();
  private volatile Snapshot current;
  private PluginRegistry plugins;
  private String pluginsFingerprint;
  private AdminServer admin;
  private long generation;
  private volatile boolean draining;
  private FileWatcher watcher;

  private Proxy(Path configFile, Transport transport) {
    this.configFile = configFile;
    this.transport = transport;
  }

  /**
   * Loads {@code configFile} and its plugins, binds every listener and the admin server.
   *
   * @throws ConfigException when the configuration is invalid (nothing is left running)
   */
  public static Proxy start(Path configFile, int threads) throws ConfigException, InterruptedException {
    ProxyConfig config = ConfigLoader.load(configFile);
    Transport transport = new Transport(threads, true);
    Proxy proxy = new Proxy(configFile, transport);
    try {
      proxy.plugins = PluginRegistry.load(config.plugins().dir());
      proxy.pluginsFingerprint = fingerprint(config.plugins().dir());
      Snapshot snapshot = SnapshotBuilder.build(++proxy.generation, config, proxy.plugins, proxy.stats, transport);
      proxy.use(snapshot);
      proxy.current = snapshot;
      snapshot.startHealthChecks(transport);
      proxy.syncListeners(config);
      proxy.watcher = new FileWatcher(proxy::reload);
      proxy.watcher.watch(watchedFiles(config));
      proxy.admin = new AdminServer(config.admin().host(), config.admin().port(), proxy);
      proxy.admin.start();
    } catch (ConfigException | InterruptedException | RuntimeException e) {
      proxy.close();
      throw e;
    }
    log.info("metaproxy serving {} listener(s) on {} event loop(s) ({}), admin on {}",
        config.listeners().size(), transport.loopCount(), transport.isEpoll() ? "epoll" : "nio", proxy.adminAddress());
    return proxy;
  }

  /** Checks a configuration file without serving: parse, load plugins, build every filter, then discard. */
  public static ProxyConfig validate(Path configFile) throws ConfigException {
    ProxyConfig config = ConfigLoader.load(configFile);
    try (PluginRegistry registry = PluginRegistry.load(config.plugins().dir())) {
      Snapshot snapshot = SnapshotBuilder.build(0, config, registry, new ProxyStats(), null);
      snapshot.discard();
      if (!registry.failures().isEmpty()) {
        log.warn("{} plugin(s) failed to load: {}", registry.failures().size(), registry.failures());
      }
    }
    return config;
  }

  @Override
  public Snapshot current() {
    return current;
  }

  public InetSocketAddress adminAddress() {
    return admin == null ? null : admin.boundAddress();
  }

  /** The bound address of listener {@code name} (real port when configured as 0). */
  public InetSocketAddress listenerAddress(String name) {
    ListenerServer server = servers.get(name);
    return server == null ? null : server.address();
  }

  public ProxyStats stats() {
    return stats;
  }

  // ---- reload ---------------------------------------------------------------------------------------------------

  /**
   * Reloads the configuration file, and the plugins when any file in the plugins folder changed: builds and validates
   * a new snapshot, binds new listeners, then swaps. On any error the old snapshot keeps serving untouched.
   */
  @Override
  public synchronized ReloadResult reload() {
    if (draining) {
      return new ReloadResult(false, "the proxy is draining");
    }
    long started = System.nanoTime();
    PluginRegistry newPlugins = null;
    try {
      ProxyConfig config = ConfigLoader.load(configFile);
      String fingerprint = fingerprint(config.plugins().dir());
      PluginRegistry registry = plugins;
      boolean pluginsChanged = !fingerprint.equals(pluginsFingerprint)
          || !config.plugins().dir().toAbsolutePath().normalize().equals(plugins.directory());
      if (pluginsChanged) {
        newPlugins = PluginRegistry.load(config.plugins().dir());
        registry = newPlugins;
      }
      Snapshot next = SnapshotBuilder.build(generation + 1, config, registry, stats, transport);
      try {
        syncListeners(config);
      } catch (RuntimeException | InterruptedException e) {
        next.discard();
        throw e;
      }
      generation++;
      use(next);
      next.startHealthChecks(transport);
      Snapshot previous = current;
      current = next;
      if (pluginsChanged) {
        plugins = newPlugins;
        pluginsFingerprint = fingerprint;
        newPlugins = null;
      }
      retire(previous);
      watcher.watch(watchedFiles(config));
      stats.reload(true);
      String message = "reloaded " + configFile + " as generation " + generation + " in "
          + (System.nanoTime() - started) / 1_000_000 + "ms" + (pluginsChanged ? " (plugins reloaded)" : "");
      log.info(message);
      return new ReloadResult(true, message);
    } catch (ConfigException e) {
      stats.reload(false);
      log.warn("reload rejected, still serving generation {}: {}", generation, e.getMessage());
      return new ReloadResult(false, e.getMessage());
    } catch (RuntimeException | InterruptedException e) {
      stats.reload(false);
      log.warn("reload failed, still serving generation {}: {}", generation, e.toString());
      return new ReloadResult(false, "reload failed: " + e);
    } finally {
      if (newPlugins != null) {
        newPlugins.close();
      }
    }
  }

  private static List<Path> watchedFiles(ProxyConfig config) {
    Path directory = config.source().toAbsolutePath().getParent();
    List<Path> files = new ArrayList<>();
    for (ListenerConfig listener : config.listeners()) {
      files.addAll(io.metaproxy.host.filter.FilterChain.watchedFiles(listener.filters(), directory));
    }
    return files;
  }

  private void use(Snapshot snapshot) {
    synchronized (registryLock) {
      registryUsers.merge(snapshot.plugins(), 1, Integer::sum);
    }
  }

  private void retire(Snapshot snapshot) {
    PluginRegistry registry = snapshot.plugins();
    snapshot.retire(transport, () -> {
      synchronized (registryLock) {
        int users = registryUsers.merge(registry, -1, Integer::sum);
        if (users == 0) {
          registryUsers.remove(registry);
          log.info("unloading plugins of a retired snapshot (generation {})", snapshot.generation());
          registry.close();
        }
      }
    });
  }

  /** Binds listeners the config adds or moves, closes the ones it removes; keeps the rest (and their connections). */
  private void syncListeners(ProxyConfig config) throws InterruptedException {
    Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
    config.listeners().forEach(l -> wanted.put(l.name(), l));
    List<ListenerServer> bound = new ArrayList<>();
    try {
      for (ListenerConfig listener : wanted.values()) {
        ListenerServer existing = servers.get(listener.name());
        if (existing != null && sameAddress(existing, listener)) {
          continue;
        }
        if (existing != null) {
          existing.close();
          servers.remove(listener.name());
        }
        String name = listener.name();
        ListenerServer server = ListenerServer.bind(listener, transport, this, () -> {
          ListenerRuntime runtime = current.listener(name);
          return new ListenerServer.ConnectionSettings(runtime.codecFactory(), runtime.config());
        }, stats);
        bound.add(server);
        servers.put(name, server);
        log.info("listener {} ({}) on {}", name, listener.protocol(), server.address());
      }
    } catch (RuntimeException | InterruptedException e) {
      for (ListenerServer server : bound) {
        server.close();
        servers.values().remove(server);
      }
      throw e;
    }
    for (String name : List.copyOf(servers.keySet())) {
      if (!wanted.containsKey(name)) {
        servers.remove(name).close();
        log.info("listener {} removed", name);
      }
    }
  }

  private static boolean sameAddress(ListenerServer server, ListenerConfig listener) {
    InetSocketAddress address = server.address();
    return (listener.port() == 0 || address.getPort() == listener.port())
        && new InetSocketAddress(listener.host(), 0).getAddress().equals(address.getAddress());
  }

  /** Names, sizes and modification times of the plugin files: a change means the plugins must be reloaded. */
  private static String fingerprint(Path directory) {
    if (!Files.isDirectory(directory)) {
      return "";
    }
    StringBuilder print = new StringBuilder();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.sorted().toList()) {
        print.append(file.getFileName()).append(':').append(Files.size(file)).append(':')
            .append(Files.getLastModifiedTime(file).toMillis()).append(';');
      }
    } catch (IOException e) {
      print.append("unreadable:").append(e.getMessage());
    }
    return print.toString();
  }

  // ---- admin ----------------------------------------------------------------------------------------------------

  @Override
  public boolean isReady() {
    return current != null && !draining && !servers.isEmpty();
  }

  @Override
  public String configDumpJson() {
    Snapshot snapshot = current;
    return "{\"generation\":" + snapshot.generation() + ",\"config\":" + JsonDump.write(snapshot.config()) + "}";
  }

  @Override
  public String clustersText() {
    StringBuilder text = new StringBuilder();
    for (ClusterConfig cluster : current.config().clusters()) {
      for (ClusterConfig.Endpoint endpoint : cluster.endpoints()) {
        text.append(cluster.name()).append("::").append(endpoint).append("::lb_policy::")
            .append(cluster.lbPolicy().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
      }
    }
    for (String line : UpstreamPools.describeAll()) {
      text.append("pool::").append(line).append('\n');
    }
    return text.toString();
  }

  @Override
  public String pluginsJson() {
    return plugins.toJson();
  }

  @Override
  public String prometheusText() {
    return stats.scrapePrometheus();
  }

  /** Stops accepting new connections; open ones finish their requests and close when idle. */
  @Override
  public synchronized void drain() {
    draining = true;
    for (ListenerServer server : servers.values()) {
      server.stopAccepting();
    }
    log.info("draining: listeners closed to new connections");
  }

  @Override
  public synchronized void close() {
    draining = true;
    if (watcher != null) {
      watcher.close();
    }
    if (admin != null) {
      admin.close();
    }
    for (ListenerServer server : servers.values()) {
      server.close();
    }
    servers.clear();
    for (io.netty.channel.EventLoop loop : transport.loops()) {
      loop.execute(() -> {
        UpstreamPools pools = UpstreamPools.current(loop, transport, stats);
        pools.closeAll();
      });
    }
    transport.close();
    if (current != null) {
      current.discard();
    }
    synchronized (registryLock) {
      if (plugins != null && !registryUsers.containsKey(plugins)) {
        plugins.close();
      }
      for (PluginRegistry registry : registryUsers.keySet()) {
        registry.close();
      }
      registryUsers.clear();
    }
  }
}
