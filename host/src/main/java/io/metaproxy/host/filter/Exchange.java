package io.metaproxy.host.filter;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.host.config.HeaderValue;
import io.metaproxy.host.route.MetadataView;
import io.metaproxy.host.route.Route;
import io.metaproxy.host.server.ListenerRuntime;
import io.metaproxy.host.server.Snapshot;
import io.metaproxy.host.stats.RouteStats;
import io.metaproxy.host.upstream.UpstreamPools;
import io.metaproxy.host.upstream.UpstreamRequest;
import io.metaproxy.host.upstream.UpstreamTarget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One request's life on the proxy, and the {@link FilterContext} its filters see. Everything runs on the downstream
 * connection's event loop (upstream connections share it); {@link #resume()} and {@link #reply} hop there when
 * called from elsewhere.
 *
 * <pre>
 *   request filters, in order ──► router: route, cluster, endpoint, upstream ──► response ──► response filters,
 *        │ reply()                         │ no route / failure / timeout                       in reverse ──► client
 *        └────────────────────────────────►└──────────── error reply through the codec ──────────────────────────┘
 * </pre>
 *
 * <p>Buffer ownership: the exchange owns the request Metadata (and its frame) from {@link #start} and the response
 * Metadata from {@link #onUpstreamResponse}; it releases both in {@link #finish}. What it writes to the client is a
 * retained duplicate of the response frame or a fresh buffer, owned by the downstream from then on.
 */
public final class Exchange implements FilterContext, UpstreamRequest, MetadataView {
  private static final Logger log = LoggerFactory.getLogger("metaproxy.filter");

  private enum Phase { REQUEST_FILTERS, UPSTREAM, RESPONSE_FILTERS, DONE }

  private final Snapshot snapshot;
  private final ListenerRuntime listener;
  private final Downstream downstream;
  private final EventLoop loop;
  private final int loopIndex;
  private final Filter[] filters;
  private final Metadata request;
  private final long clientRequestId;
  private final long startNanos;

  private Phase phase = Phase.REQUEST_FILTERS;
  /** Request path: the next filter to run. Response path: how many filters are still to run (from the end). */
  private int filterIndex;
  private boolean inFilterCall;
  private boolean paused;
  private ScheduledFuture<?> pauseDeadline;
  private ErrorType pendingError;
  private String pendingMessage;

  private Mutation requestMutation;
  private Route route;
  private boolean routeResolved;
  private String clusterOverride;
  private String clusterName;
  private UpstreamTarget target;
  private int endpoint = -1;
  private int retriesLeft;
  private RouteStats stats;
  // The request's place in its loop's TimeoutQueue (null lane: no deadline running).
  long deadlineNanos;
  TimeoutQueue.Lane deadlineLane;
  Exchange deadlinePrev;
  Exchange deadlineNext;

  private Metadata response;
  private Mutation responseMutation;
  private ErrorType error;
  private String errorMessage;
  /**
   * Per-request filter state as key/value pairs, searched linearly like Metadata (a request keeps a handful); null
   * until a filter sets the first.
   */
  private String[] state;

  private int stateCount;

  private Exchange(Snapshot snapshot, ListenerRuntime listener, Downstream downstream, int loopIndex, Metadata request) {
    this.snapshot = snapshot;
    this.listener = listener;
    this.downstream = downstream;
    this.loop = downstream.loop();
    this.loopIndex = loopIndex;
    this.filters = listener.chain().forLoop(loopIndex);
    this.request = request;
    this.clientRequestId = request.requestId();
    this.startNanos = System.nanoTime();
  }

  /**
   * Starts a request decoded on {@code downstream}; takes ownership of {@code request}. Must be called on the
   * downstream's loop.
   */
  public static void start(
      Snapshot snapshot, ListenerRuntime listener, Downstream downstream, int loopIndex, Metadata request) {
    snapshot.requestStarted(loopIndex);
    new Exchange(snapshot, listener, downstream, loopIndex, request).runRequestFilters();
  }

  // ---- the request path -------------------------------------------------------------------------------------------

  private void runRequestFilters() {
    while (filterIndex < filters.length) {
      Filter filter = filters[filterIndex++];
      FilterStatus status;
      inFilterCall = true;
      try {
        status = filter.onRequest(this);
      } catch (RuntimeException | StackOverflowError e) {
        status = failedFilter(e);
      } finally {
        inFilterCall = false;
      }
      if (pendingError != null || status == FilterStatus.STOP) {
        filterIndex--; // the replying filter's own response side does not run
        if (pendingError == null) {
          pendingError = ErrorType.UNSPECIFIED;
          pendingMessage = "filter " + listener.chain().name(filterIndex) + " stopped the request without a reply";
        }
        localReply(pendingError, pendingMessage);
        return;
      }
      if (status == FilterStatus.PAUSE) {
        pause();
        return;
      }
    }
    forward();
  }

  /**
   * A paused request that no one resumes would hold its client forever: past {@link #PAUSE_LIMIT_NANOS} it is
   * answered with a timeout naming the filter.
   */
  private static final long PAUSE_LIMIT_NANOS = Route.DEFAULT_TIMEOUT_NANOS;

  /** Room for this many state pairs when a filter sets the first; grows by doubling. */
  private static final int INITIAL_STATE_PAIRS = 4;

  private void pause() {
    paused = true;
    int index = phase == Phase.REQUEST_FILTERS ? filterIndex - 1 : filterIndex;
    String name = listener.chain().name(index);
    pauseDeadline = loop.schedule(() -> {
      if (paused) {
        reply(ErrorType.TIMEOUT, "filter " + name + " paused the " + (phase == Phase.REQUEST_FILTERS ? "request" : "response")
            + " and did not resume it within " + TimeUnit.NANOSECONDS.toSeconds(PAUSE_LIMIT_NANOS) + "s");
      }
    }, PAUSE_LIMIT_NANOS, TimeUnit.NANOSECONDS);
  }

  private void unpause() {
    paused = false;
    if (pauseDeadline != null) {
      pauseDeadline.cancel(false);
      pauseDeadline = null;
    }
  }

  private FilterStatus failedFilter(Throwable e) {
    String name = listener.chain().name(filterIndex - 1);
    log.warn("[{}] filter {} failed on request {}: {}", listener.name(), name, clientRequestId, e.toString());
    if (pendingError == null) {
      pendingError = ErrorType.UNSPECIFIED;
      pendingMessage = "filter " + name + " failed: " + e;
    }
    return FilterStatus.STOP;
  }

  /** The router: route, cluster, endpoint, upstream. */
  private void forward() {
    phase = Phase.UPSTREAM;
    Route matched = resolveRoute();
    if (matched == null) {
      localReply(ErrorType.ROUTE_NOT_FOUND, "no route matches " + describeRequest());
      return;
    }
    clusterName = clusterOverride != null ? clusterOverride : matched.pickCluster();
    stats = listener.stats(matched, clusterName);
    stats.requestStarted();
    target = listener.target(clusterName);
    if (target == null) {
      localReply(ErrorType.CLUSTER_NOT_FOUND, "cluster '" + clusterName + "' is not configured (route " + matched.name() + ")");
      return;
    }
    if (target.endpointCount() == 0) {
      localReply(ErrorType.NO_HEALTHY_UPSTREAM, "cluster '" + clusterName + "' has no endpoints");
      return;
    }
    for (HeaderValue header : matched.requestMutation()) {
      mutableRequestMutation().set(header.key(), header.value());
    }
    retriesLeft = matched.retryAttempts();
    if (matched.drawMirror()) {
      // Before the request goes out: multiplexing may patch the original frame's id in place.
      Mirror.send(listener, matched, request, requestMutation, downstream.codecFactory(), loop, loopIndex, pools());
    }
    sendUpstream(-1);
  }

  /** Sends the request to an endpoint of the target other than {@code exclude} (a retry), or to any (-1). */
  private void sendUpstream(int exclude) {
    if (exclude >= 0) {
      // A retry. The earlier attempt's bytes may still wait, unflushed, in that connection's outbound buffer as a
      // duplicate of this frame, and a multiplexed connection patches the id into the frame in place: the retry
      // gets bytes of its own, so the earlier ones keep the id that connection expects an answer to.
      request.attachFrame(request.originalFrame().copy());
    }
    long keyHash = target.hashesRequests() ? requestHash() : UpstreamTarget.NO_HASH;
    endpoint = target.pickEndpoint(loopIndex, pools(), downstream.codecFactory(), exclude, keyHash);
    if (!isOneway()) {
      TimeoutQueue.of(loop).add(this, route.timeoutNanos());
    }
    pools().send(target, endpoint, downstream.codecFactory(), this);
  }

  /** The hash of the route's hash_policy keys as they will be sent; NO_HASH when none is present. */
  private long requestHash() {
    long hash = UpstreamTarget.hashSeed();
    boolean any = false;
    for (String key : route.hashPolicy()) {
      String value = get(key);
      if (value != null) {
        hash = UpstreamTarget.foldHash(UpstreamTarget.foldHash(hash, key), value);
        any = true;
      }
    }
    return !any ? UpstreamTarget.NO_HASH : hash == UpstreamTarget.NO_HASH ? 1 : hash;
  }

  private UpstreamPools pools() {
    return UpstreamPools.current(loop, listener.transport(), listener.proxyStats());
  }

  /** The route's timeout passed (called by the loop's {@link TimeoutQueue}, which has already dropped the entry). */
  void onTimeout() {
    if (phase != Phase.UPSTREAM) {
      return;
    }
    pools().cancel(target, endpoint, downstream.codecFactory(), this);
    pools().recordOutcome(target, endpoint, downstream.codecFactory(), false);
    if (retriesLeft > 0 && route.retryOnTimeout()) {
      retriesLeft--;
      sendUpstream(endpoint);
      return;
    }
    localReply(ErrorType.TIMEOUT, "no response from cluster '" + clusterName + "' within "
        + TimeUnit.NANOSECONDS.toMillis(route.timeoutNanos()) + "ms");
  }

  // ---- UpstreamRequest ----------------------------------------------------------------------------------------------

  @Override
  public Metadata requestMetadata() {
    return request;
  }

  @Override
  public Mutation requestMutation() {
    return requestMutation;
  }

  private Mutation mutableRequestMutation() {
    if (requestMutation == null) {
      requestMutation = new Mutation();
    }
    return requestMutation;
  }

  @Override
  public boolean isOneway() {
    return request.messageType() == MessageType.ONEWAY;
  }

  @Override
  public void onOnewaySent() {
    if (phase == Phase.UPSTREAM) {
      stats.oneway();
      finish();
    }
  }

  @Override
  public void onUpstreamResponse(Metadata upstreamResponse) {
    if (phase != Phase.UPSTREAM) {
      upstreamResponse.release();
      return;
    }
    cancelTimeout();
    pools().recordOutcome(target, endpoint, downstream.codecFactory(),
        upstreamResponse.messageType() != MessageType.ERROR);
    response = upstreamResponse;
    phase = Phase.RESPONSE_FILTERS;
    for (HeaderValue header : route.responseMutation()) {
      responseMutation().set(header.key(), header.value());
    }
    filterIndex = filters.length;
    runResponseFilters();
  }

  @Override
  public void onUpstreamFailure(ErrorType failure, String message, boolean connectFailure) {
    if (phase != Phase.UPSTREAM) {
      return;
    }
    cancelTimeout();
    if (isOneway()) {
      log.debug("[{}] oneway request {} not delivered: {}", listener.name(), clientRequestId, message);
      stats.failed(failure, System.nanoTime() - startNanos);
      finish();
      return;
    }
    if (connectFailure) {
      listener.proxyStats().upstreamConnectFailure(clusterName);
    }
    if (failure == ErrorType.UPSTREAM_FAILURE) {
      pools().recordOutcome(target, endpoint, downstream.codecFactory(), false);
    }
    boolean retryable = connectFailure ? route.retryOnConnectFailure() : route.retryOnReset();
    if (retriesLeft > 0 && retryable) {
      retriesLeft--;
      sendUpstream(endpoint);
      return;
    }
    localReply(failure, message + " (cluster '" + clusterName + "')");
  }

  private void cancelTimeout() {
    if (deadlineLane != null) {
      TimeoutQueue.of(loop).remove(this);
    }
  }

  // ---- the response path ------------------------------------------------------------------------------------------

  /** Ends the request path with an error reply; response filters of the filters that ran still see it. */
  private void localReply(ErrorType type, String message) {
    cancelTimeout();
    if (phase == Phase.UPSTREAM && target != null && endpoint >= 0) {
      pools().cancel(target, endpoint, downstream.codecFactory(), this);
    }
    if (phase == Phase.REQUEST_FILTERS || phase == Phase.UPSTREAM) {
      if (phase == Phase.UPSTREAM) {
        filterIndex = filters.length;
      }
      phase = Phase.RESPONSE_FILTERS;
    }
    if (response != null) {
      response.release();
      response = null;
    }
    if (stats == null) {
      stats = route != null && clusterName != null ? listener.stats(route, clusterName) : listener.unroutedStats();
      stats.requestStarted();
    }
    error = type;
    errorMessage = message;
    if (isOneway()) {
      log.debug("[{}] oneway request {} dropped: {}: {}", listener.name(), clientRequestId, type.scriptName(), message);
      stats.failed(type, System.nanoTime() - startNanos);
      finish();
      return;
    }
    runResponseFilters();
  }

  private void runResponseFilters() {
    while (filterIndex > 0) {
      Filter filter = filters[--filterIndex];
      FilterStatus status;
      inFilterCall = true;
      try {
        status = filter.onResponse(this);
      } catch (RuntimeException | StackOverflowError e) {
        log.warn("[{}] filter {} failed on response {}: {}", listener.name(), listener.chain().name(filterIndex),
            clientRequestId, e.toString());
        status = FilterStatus.CONTINUE;
        if (pendingError == null) {
          pendingError = ErrorType.UNSPECIFIED;
          pendingMessage = "filter " + listener.chain().name(filterIndex) + " failed: " + e;
        }
      } finally {
        inFilterCall = false;
      }
      if (pendingError != null) {
        replaceWithError(pendingError, pendingMessage);
        pendingError = null;
      }
      if (status == FilterStatus.PAUSE) {
        pause();
        return;
      }
    }
    writeToClient();
  }

  private void replaceWithError(ErrorType type, String message) {
    if (response != null) {
      response.release();
      response = null;
    }
    error = type;
    errorMessage = message;
  }

  private void writeToClient() {
    if (error != null) {
      ByteBuf out = downstream.alloc().buffer(128 + errorMessage.length() * 3);
      request.setRequestId(clientRequestId);
      try {
        downstream.codec().onError(request, error, errorMessage, out);
        downstream.write(out);
      } catch (RuntimeException e) {
        out.release();
        log.error("[{}] codec failed to write an error reply: {}", listener.name(), e.toString());
      }
      stats.failed(error, System.nanoTime() - startNanos);
    } else {
      writeResponse();
      stats.responded(System.nanoTime() - startNanos);
    }
    finish();
  }

  private void writeResponse() {
    ByteBuf frame = response.originalFrame();
    boolean idChanged = response.requestId() != clientRequestId;
    if (responseMutation == null || responseMutation.isEmpty()) {
      if (!idChanged || downstream.codec().rewriteRequestId(frame, clientRequestId)) {
        downstream.write(frame.retainedDuplicate());
        return;
      }
    }
    response.setRequestId(clientRequestId);
    ByteBuf out = downstream.alloc().buffer(frame.readableBytes() + 128);
    try {
      downstream.codec().encode(response, responseMutation == null ? new Mutation() : responseMutation, out);
      downstream.write(out);
    } catch (RuntimeException e) {
      out.release();
      log.warn("[{}] response {} cannot be encoded: {}", listener.name(), clientRequestId, e.toString());
      ByteBuf error = downstream.alloc().buffer(128);
      request.setRequestId(clientRequestId);
      try {
        downstream.codec().onError(request, ErrorType.BAD_REQUEST, "the response cannot be encoded: " + e.getMessage(), error);
        downstream.write(error);
      } catch (RuntimeException again) {
        error.release();
      }
    }
  }

  private void finish() {
    phase = Phase.DONE;
    request.release();
    if (response != null) {
      response.release();
      response = null;
    }
    downstream.exchangeDone();
    snapshot.requestFinished(loopIndex);
  }

  // ---- FilterContext: read --------------------------------------------------------------------------------------

  private boolean onResponsePath() {
    return phase == Phase.RESPONSE_FILTERS || phase == Phase.DONE;
  }

  @Override
  public String get(String key) {
    Mutation mutation = onResponsePath() ? responseMutation : requestMutation;
    if (mutation != null && mutation.touches(key)) {
      return mutation.get(key);
    }
    Metadata metadata = onResponsePath() ? response : request;
    return metadata == null ? null : metadata.get(key);
  }

  @Override
  public List<String> keys() {
    Metadata metadata = onResponsePath() ? response : request;
    Mutation mutation = onResponsePath() ? responseMutation : requestMutation;
    if (mutation == null || mutation.isEmpty()) {
      // the common case (proxy-wasm asks on every message, for on_request_headers' header count): one list, no copy
      return metadata == null ? List.of() : metadata.keys();
    }
    List<String> keys = new ArrayList<>((metadata == null ? 0 : metadata.size()) + mutation.size());
    if (metadata != null) {
      metadata.forEach((key, value) -> keys.add(key));
    }
    mutation.forEach((key, value) -> {
      if (value == null) {
        keys.remove(key);
      } else if (!keys.contains(key)) {
        keys.add(key);
      }
    });
    return keys;
  }

  @Override
  public MessageType messageType() {
    if (!onResponsePath()) {
      return request.messageType();
    }
    return response == null ? MessageType.ERROR : response.messageType();
  }

  @Override
  public long requestId() {
    return clientRequestId;
  }

  @Override
  public String operation() {
    return request.operation();
  }

  @Override
  public String peerAddress() {
    return downstream.peerAddress();
  }

  @Override
  public String listener() {
    return listener.name();
  }

  @Override
  public String route() {
    Route resolved = phase == Phase.REQUEST_FILTERS ? resolveRoute() : route;
    return resolved == null ? null : resolved.name();
  }

  private Route resolveRoute() {
    if (!routeResolved) {
      route = listener.routes().match(this);
      routeResolved = true;
    }
    return route;
  }

  @Override
  public String cluster() {
    return clusterName != null ? clusterName : clusterOverride;
  }

  // ---- FilterContext: write -------------------------------------------------------------------------------------

  @Override
  public void set(String key, String value) {
    if (onResponsePath()) {
      responseMutation().set(key, value);
    } else {
      mutableRequestMutation().set(key, value);
      routeResolved = false; // a changed key may change which route matches
    }
  }

  @Override
  public void remove(String key) {
    if (onResponsePath()) {
      responseMutation().remove(key);
    } else {
      mutableRequestMutation().remove(key);
      routeResolved = false;
    }
  }

  private Mutation responseMutation() {
    if (responseMutation == null) {
      responseMutation = new Mutation();
    }
    return responseMutation;
  }

  @Override
  public FilterStatus reply(ErrorType type, String message) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> reply(type, message));
      return FilterStatus.STOP;
    }
    if (phase == Phase.DONE) {
      return FilterStatus.STOP;
    }
    String reason = message == null ? type.scriptName() : message;
    if (inFilterCall) {
      pendingError = type;
      pendingMessage = reason;
      return FilterStatus.STOP;
    }
    if (paused) {
      unpause();
      if (phase == Phase.REQUEST_FILTERS) {
        filterIndex--; // the paused filter answered: its own response side does not run
        localReply(type, reason);
      } else if (phase == Phase.RESPONSE_FILTERS) {
        replaceWithError(type, reason);
        runResponseFilters();
      }
    }
    return FilterStatus.STOP;
  }

  @Override
  public void routeTo(String cluster) {
    if (!onResponsePath()) {
      clusterOverride = cluster;
    }
  }

  @Override
  public void resume() {
    if (!loop.inEventLoop()) {
      loop.execute(this::resume);
      return;
    }
    if (!paused) {
      return;
    }
    unpause();
    if (phase == Phase.REQUEST_FILTERS) {
      runRequestFilters();
    } else if (phase == Phase.RESPONSE_FILTERS) {
      runResponseFilters();
    }
  }

  // ---- FilterContext: state and utilities -------------------------------------------------------------------------

  @Override
  public String state(String key) {
    int index = stateIndex(key);
    return index < 0 ? null : state[index + 1];
  }

  @Override
  public void setState(String key, String value) {
    Objects.requireNonNull(key, "state key");
    int index = stateIndex(key);
    if (index >= 0) {
      state[index + 1] = value;
      return;
    }
    if (state == null) {
      state = new String[INITIAL_STATE_PAIRS * 2];
    } else if (stateCount * 2 == state.length) {
      state = Arrays.copyOf(state, state.length * 2);
    }
    state[stateCount * 2] = key;
    state[stateCount * 2 + 1] = value;
    stateCount++;
  }

  /** Where {@code key}'s pair starts in {@link #state}, or -1. */
  private int stateIndex(String key) {
    for (int i = 0; i < stateCount * 2; i += 2) {
      if (state[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void log(String level, String message) {
    Level severity = switch (level == null ? "info" : level) {
      case "debug" -> Level.DEBUG;
      case "warn" -> Level.WARN;
      case "error" -> Level.ERROR;
      default -> Level.INFO;
    };
    if (!log.isEnabledForLevel(severity)) {
      return; // a script logging on every request at a disabled level costs no string building
    }
    int current = phase == Phase.REQUEST_FILTERS ? filterIndex - 1 : filterIndex;
    String name = current >= 0 && current < filters.length ? listener.chain().name(current) : "-";
    log.atLevel(severity).log("[" + listener.name() + "] [" + name + "] request " + clientRequestId + ": " + message);
  }

  @Override
  public void count(String metric, long delta) {
    listener.proxyStats().filterCount(listener.name(), metric, delta);
  }

  @Override
  public long now() {
    return System.currentTimeMillis();
  }

  private String describeRequest() {
    String operation = request.operation();
    return operation != null ? operation : "request " + request;
  }

  @Override
  public String toString() {
    return "Exchange{" + listener.name() + " id=" + clientRequestId + " " + phase + "}";
  }
}
