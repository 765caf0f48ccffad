package io.metaproxy.host.admin;

/**
 * What the admin API reports on and acts upon: the running proxy, seen through this seam so that {@link
 * AdminServer} stays a plain HTTP front end (and tests can stand in a fake).
 *
 * <p>Implementations must be thread-safe. The getters are called on the admin event loop and should return
 * promptly; {@link #reload()} and {@link #drain()} are called on a separate admin worker thread and may block. A
 * method that throws is answered with HTTP 500 and the exception's message.
 */
public interface AdminBackend {
  /** Whether the proxy serves traffic: its listeners are bound and it is not draining. */
  boolean isReady();

  /** The active config snapshot as a JSON document. */
  String configDumpJson();

  /**
   * The clusters in Envoy's {@code /clusters} text form, one {@code cluster::endpoint::stat::value} per line (stats
   * {@code cx_active}, {@code rq_active}, {@code health}).
   */
  String clustersText();

  /** The loaded plugins, the extensions each provides, and the plugins that failed to load, as JSON. */
  String pluginsJson();

  /** All statistics in the Prometheus text format 0.0.4. */
  String prometheusText();

  /**
   * Reloads configuration, scripts and plugins: builds and validates a new snapshot and swaps it in, or keeps the
   * old one and says why. Blocks while the snapshot is built.
   */
  ReloadResult reload();

  /** Stops accepting new connections and closes idle ones; the proxy then reports not ready. */
  void drain();
}
