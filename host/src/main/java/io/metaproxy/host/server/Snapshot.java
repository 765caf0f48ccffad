package io.metaproxy.host.server;

import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.plugin.PluginRegistry;
import io.metaproxy.host.transport.Transport;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable configuration, compiled: listeners with their codecs, filters, routes and clusters. Requests pin the
 * snapshot they started on. In-flight counts are kept per event loop, each slot touched only by its loop, so pinning
 * costs no atomic operation; when a retired snapshot's count on a loop drops to zero, that loop closes its filter
 * instances.
 */
public final class Snapshot {
  private static final int SLOT = 16; // ints between two loops' counters: no false sharing

  private final long generation;
  private final ProxyConfig config;
  private final PluginRegistry plugins;
  private final Map<String, ListenerRuntime> listeners;
  private final int loopCount;
  private final int[] inFlight;
  private final boolean[] loopClosed;
  private final AtomicInteger openLoops;
  private volatile boolean retired;
  private volatile Runnable onFullyClosed = () -> {};
  private volatile AutoCloseable healthChecks;

  Snapshot(long generation, ProxyConfig config, PluginRegistry plugins, Map<String, ListenerRuntime> listeners,
      int loopCount) {
    this.generation = generation;
    this.config = config;
    this.plugins = plugins;
    this.listeners = Map.copyOf(listeners);
    this.loopCount = loopCount;
    this.inFlight = new int[loopCount * SLOT];
    this.loopClosed = new boolean[loopCount];
    this.openLoops = new AtomicInteger(loopCount);
  }

  public long generation() {
    return generation;
  }

  public ProxyConfig config() {
    return config;
  }

  public PluginRegistry plugins() {
    return plugins;
  }

  /** The listener called {@code name}, or null when this snapshot does not have it. */
  public ListenerRuntime listener(String name) {
    return listeners.get(name);
  }

  public Map<String, ListenerRuntime> listeners() {
    return listeners;
  }

  /** A request started on loop {@code loopIndex}; call on that loop. */
  public void requestStarted(int loopIndex) {
    inFlight[loopIndex * SLOT]++;
  }

  /** A request finished on loop {@code loopIndex}; call on that loop. */
  public void requestFinished(int loopIndex) {
    if (--inFlight[loopIndex * SLOT] == 0 && retired) {
      closeLoop(loopIndex);
    }
  }

  /**
   * No new request will start on this snapshot. Each loop closes its filters as soon as its in-flight requests on
   * it are done; {@code whenClosed} runs once every loop has.
   */
  /** Starts the active health checks of this snapshot's clusters (when serving). */
  void startHealthChecks(Transport transport) {
    java.util.Map<String, io.metaproxy.host.upstream.UpstreamTarget> targets = new java.util.HashMap<>();
    listeners.values().forEach(l -> targets.putAll(l.targets()));
    healthChecks = new io.metaproxy.host.upstream.HealthChecker(targets.values(), transport);
  }

  private void stopHealthChecks() {
    AutoCloseable checks = healthChecks;
    if (checks != null) {
      try {
        checks.close();
      } catch (Exception e) {
        // nothing to release beyond the schedules
      }
    }
  }

  void retire(Transport transport, Runnable whenClosed) {
    stopHealthChecks();
    onFullyClosed = whenClosed;
    retired = true;
    for (int i = 0; i < loopCount; i++) {
      int index = i;
      EventLoop loop = transport.loops().get(i);
      loop.execute(() -> {
        if (inFlight[index * SLOT] == 0) {
          closeLoop(index);
        }
      });
    }
  }

  /** Requests still running on this snapshot, summed over loops (approximate when read off the loops). */
  public int inFlight() {
    int sum = 0;
    for (int i = 0; i < loopCount; i++) {
      sum += inFlight[i * SLOT];
    }
    return sum;
  }

  private void closeLoop(int loopIndex) {
    if (loopClosed[loopIndex]) {
      return;
    }
    loopClosed[loopIndex] = true;
    for (ListenerRuntime listener : listeners.values()) {
      listener.chain().closeLoop(loopIndex);
    }
    if (openLoops.decrementAndGet() == 0) {
      onFullyClosed.run();
    }
  }

  /** Closes every filter instance of a snapshot that never served (validate, or a reload that failed later). */
  void discard() {
    stopHealthChecks();
    for (ListenerRuntime listener : listeners.values()) {
      listener.chain().closeAll();
    }
  }
}
