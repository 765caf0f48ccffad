package io.metaproxy.host.listener;

import io.metaproxy.host.server.Snapshot;

/** Where a connection finds the configuration snapshot to start each new request on. */
@FunctionalInterface
public interface SnapshotSource {
  Snapshot current();
}
