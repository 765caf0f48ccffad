package io.metaproxy.bench.jmh.host;

import io.metaproxy.api.Filter;
import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.ConfigLoader;
import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.plugin.PluginRegistry;
import io.metaproxy.host.server.ListenerRuntime;
import io.metaproxy.host.server.Snapshot;
import io.metaproxy.host.server.SnapshotBuilder;
import io.metaproxy.host.stats.ProxyStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A configuration compiled by the host exactly as {@code bin/metaproxy validate} compiles it ({@link
 * ConfigLoader#parse}, {@link PluginRegistry#load}, {@link SnapshotBuilder#build} without event loops, so one filter
 * instance per filter), for benchmarks that call the host's per-message classes directly. The plugins folder is an
 * empty temporary one: codecs and filters come from the class path ({@code META-INF/services}).
 */
public final class HostFixture implements AutoCloseable {
  /** The listener every fixture configuration must name. */
  public static final String LISTENER = "bench";

  private final Path folder;
  private final PluginRegistry plugins;
  private final Snapshot snapshot;
  private final ListenerRuntime listener;

  private HostFixture(Path folder, PluginRegistry plugins, Snapshot snapshot) {
    this.folder = folder;
    this.plugins = plugins;
    this.snapshot = snapshot;
    this.listener = snapshot.listener(LISTENER);
    if (listener == null) {
      close();
      throw new IllegalArgumentException("the configuration has no listener named '" + LISTENER + "'");
    }
  }

  /**
   * Compiles {@code yaml}, which must not set {@code plugins:} and must have a listener named {@link #LISTENER}.
   *
   * @throws ConfigException as {@code metaproxy validate} would report it
   */
  public static HostFixture compile(String yaml) throws ConfigException {
    Path folder;
    try {
      folder = Files.createTempDirectory("metaproxy-bench-host-");
      Files.createDirectory(folder.resolve(ConfigLoader.DEFAULT_PLUGINS_DIR));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PluginRegistry plugins = null;
    try {
      ProxyConfig config = ConfigLoader.parse(yaml, folder.resolve("bench.yaml"));
      plugins = PluginRegistry.load(config.plugins().dir());
      Snapshot snapshot = SnapshotBuilder.build(1, config, plugins, new ProxyStats(), null);
      return new HostFixture(folder, plugins, snapshot);
    } catch (ConfigException | RuntimeException e) {
      if (plugins != null) {
        plugins.close();
      }
      delete(folder);
      throw e;
    }
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public ListenerRuntime listener() {
    return listener;
  }

  /** The filter instances of the only event loop, in request order (the router is not one of them). */
  public Filter[] filters() {
    return listener.chain().forLoop(0);
  }

  @Override
  public void close() {
    for (ListenerRuntime each : snapshot.listeners().values()) {
      each.chain().closeAll();
    }
    plugins.close();
    delete(folder);
  }

  private static void delete(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
