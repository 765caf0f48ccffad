package io.metaproxy.host.upstream;

import io.metaproxy.api.ErrorType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's connections to one endpoint. Multiplex mode spreads requests over up to {@code max_connections}
 * connections, opening another only when every open one is busy; ping-pong mode gives each connection one request
 * at a time and queues the rest (up to {@code max_pending_requests}).
 */
final class EndpointPool {
  private final PoolKey key;
  private final UpstreamPools owner;
  private final List<UpstreamConnection> connections = new ArrayList<>(4);
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;
  // Outlier detection, per loop: consecutive failures, and the ejection in force.
  private int consecutiveFailures;
  private int ejections;
  private long ejectedUntilNanos;

  private record Waiting(UpstreamTarget target, UpstreamRequest request) {}

  EndpointPool(PoolKey key, UpstreamPools owner) {
    this.key = key;
    this.owner = owner;
  }

  PoolKey key() {
    return key;
  }

  int inFlight() {
    return inFlight;
  }

  int connectionCount() {
    return connections.size();
  }

  void send(UpstreamTarget target, UpstreamRequest request) {
    if (inFlight >= target.maxRequests()) {
      UpstreamPools.failNow(request, ErrorType.OVER_LIMIT,
          "cluster " + target.name() + " has " + inFlight + " requests in flight to " + key.address() + " (max_requests)");
      return;
    }
    UpstreamConnection connection = target.multiplex() ? pickMultiplexed(target) : pickIdle(target);
    if (connection == null) {
      if (waiting.size() >= target.maxPendingRequests()) {
        UpstreamPools.failNow(request, ErrorType.OVER_LIMIT,
            "cluster " + target.name() + " has " + waiting.size() + " requests waiting for a connection (max_pending_requests)");
        return;
      }
      waiting.add(new Waiting(target, request));
      return;
    }
    dispatch(connection, request);
  }

  private void dispatch(UpstreamConnection connection, UpstreamRequest request) {
    if (!request.isOneway()) {
      inFlight++;
    }
    connection.send(request);
  }

  private UpstreamConnection pickMultiplexed(UpstreamTarget target) {
    UpstreamConnection best = null;
    for (UpstreamConnection connection : connections) {
      if (connection.isUsable() && (best == null || connection.inFlight() < best.inFlight())) {
        best = connection;
      }
    }
    if (best == null || (best.inFlight() > 0 && connections.size() < target.maxConnections())) {
      return open(target, true);
    }
    return best;
  }

  private UpstreamConnection pickIdle(UpstreamTarget target) {
    for (UpstreamConnection connection : connections) {
      if (connection.isUsable() && connection.inFlight() == 0) {
        return connection;
      }
    }
    return connections.size() < target.maxConnections() ? open(target, false) : null;
  }

  private UpstreamConnection open(UpstreamTarget target, boolean multiplex) {
    UpstreamConnection connection = new UpstreamConnection(this, key, key.codecFactory().create(), multiplex);
    connections.add(connection);
    connection.connect(owner.loop(), owner.transport(), target.connectTimeoutMillis());
    return connection;
  }

  /** A response (or failure) ended one request on {@code connection}. */
  void requestDone(UpstreamConnection connection) {
    inFlight--;
    if (!connection.isMultiplexed() && connection.isUsable() && connection.inFlight() == 0) {
      Waiting next = waiting.poll();
      if (next != null) {
        dispatch(connection, next.request());
      }
    }
  }

  /** {@code connection} is closed or failed to connect; requests waiting for a connection get a new one. */
  void removed(UpstreamConnection connection, boolean connectFailure, String reason) {
    connections.remove(connection);
    if (connectFailure) {
      // The endpoint is not there: fail the waiters too rather than retry against a refusing address.
      Waiting next;
      while ((next = waiting.poll()) != null) {
        next.request().onUpstreamFailure(ErrorType.UPSTREAM_FAILURE, reason, true);
      }
    } else if (!waiting.isEmpty()) {
      Waiting next = waiting.poll();
      send(next.target(), next.request());
    }
  }

  boolean isEjected(long now) {
    return ejections > 0 && now - ejectedUntilNanos < 0;
  }

  /** Records a request's outcome for outlier detection; ejects after too many failures in a row. */
  void recordOutcome(boolean success, UpstreamTarget target, long now) {
    if (success) {
      consecutiveFailures = 0;
      return;
    }
    if (++consecutiveFailures >= target.outlierConsecutiveErrors() && !isEjected(now)) {
      ejections++;
      consecutiveFailures = 0;
      ejectedUntilNanos = now + target.outlierBaseEjectionNanos() * Math.min(ejections, 10);
      org.slf4j.LoggerFactory.getLogger(EndpointPool.class).warn(
          "ejecting {} of cluster {} for {}ms after {} consecutive failures", key, target.name(),
          target.outlierBaseEjectionNanos() * Math.min(ejections, 10) / 1_000_000, target.outlierConsecutiveErrors());
    }
  }

  void cancel(UpstreamRequest request) {
    for (UpstreamConnection connection : connections) {
      if (connection.cancel(request)) {
        return;
      }
    }
    waiting.removeIf(w -> w.request() == request);
  }

  void closeAll() {
    for (UpstreamConnection connection : List.copyOf(connections)) {
      connection.close();
    }
  }
}
