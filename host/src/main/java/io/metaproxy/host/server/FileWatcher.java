package io.metaproxy.host.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the proxy when a watched script file changes ({@code watch: true} on a filter). Polls modification times
 * once a second on one daemon thread: simple, works on every file system, and a second of delay is fine for edits.
 */
final class FileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "metaproxy-watch");
    thread.setDaemon(true);
    return thread;
  });
  private final Runnable onChange;
  private volatile Map<Path, Long> watched = Map.of();

  FileWatcher(Runnable onChange) {
    this.onChange = onChange;
    timer.scheduleWithFixedDelay(this::poll, 1, 1, TimeUnit.SECONDS);
  }

  /** Watches exactly {@code files} from now on (called after every successful start or reload). */
  void watch(List<Path> files) {
    Map<Path, Long> next = new HashMap<>();
    for (Path file : files) {
      next.put(file, modified(file));
    }
    watched = next;
  }

  private void poll() {
    Map<Path, Long> current = watched;
    for (Map.Entry<Path, Long> entry : current.entrySet()) {
      if (modified(entry.getKey()) != entry.getValue()) {
        log.info("{} changed; reloading", entry.getKey());
        watch(List.copyOf(current.keySet())); // record the new times even if the reload is rejected
        try {
          onChange.run();
        } catch (RuntimeException e) {
          log.warn("reload after a file change failed: {}", e.toString());
        }
        return;
      }
    }
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
