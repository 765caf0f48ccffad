package io.metaproxy.host.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers admin requests on one connection. One instance per connection, used only on the admin event loop.
 *
 * <p>Answers are built as {@link Reply} values (strings) and turned into a {@link FullHttpResponse} only when
 * written, on the event loop: a reply computed on the worker thread holds no buffer that could leak if the
 * connection or the server closes first. The request itself is released by {@link SimpleChannelInboundHandler}
 * once {@link #channelRead0} returns; nothing here retains it.
 *
 * <p>HTTP/1.1 requires answers in request order. While a blocking call runs on the worker the handler stops
 * reading from the socket and queues requests already decoded, so a pipelined {@code GET} never overtakes the
 * {@code POST /reload} before it.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  static final String TEXT = "text/plain; charset=utf-8";
  static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  static final String JSON = "application/json; charset=utf-8";
  static final String HTML = "text/html; charset=utf-8";

  /** The endpoints, in the order the 404 page lists them. */
  enum Endpoint {
    DASHBOARD("/", HttpMethod.GET, "dashboard page"),
    READY("/ready", HttpMethod.GET, "LIVE (200) when serving; DRAINING or NOT READY (503)"),
    PROMETHEUS_STATS("/stats/prometheus", HttpMethod.GET, "statistics, Prometheus text format 0.0.4"),
    CONFIG_DUMP("/config_dump", HttpMethod.GET, "the active configuration as JSON"),
    CLUSTERS("/clusters", HttpMethod.GET, "cluster::endpoint::stat::value lines"),
    PLUGINS("/plugins", HttpMethod.GET, "loaded plugins and their extensions, as JSON"),
    RELOAD("/reload", HttpMethod.POST, "reload config, scripts and plugins (400 with the reason if rejected)"),
    DRAIN("/drain", HttpMethod.POST, "stop accepting connections and close idle ones");

    final String path;
    final HttpMethod method;
    final String description;

    Endpoint(String path, HttpMethod method, String description) {
      this.path = path;
      this.method = method;
      this.description = description;
    }

    static Endpoint forPath(String path) {
      for (Endpoint endpoint : values()) {
        if (endpoint.path.equals(path)) {
          return endpoint;
        }
      }
      return null;
    }
  }

  /** An answer not yet encoded. */
  record Reply(HttpResponseStatus status, String contentType, String body) {
    static Reply text(HttpResponseStatus status, String body) {
      return new Reply(status, TEXT, body);
    }
  }

  /** What is kept of a request that has to wait its turn (the FullHttpRequest itself is released). */
  private record Pending(
      Endpoint endpoint,
      HttpMethod method,
      String path,
      boolean keepAlive,
      HttpVersion version,
      String origin,
      String hostHeader) {}

  private static final String NOT_FOUND_BODY = notFoundBody();

  private final AdminBackend backend;
  private final Executor worker;
  private final AtomicBoolean drained;
  private final Queue<Pending> waiting = new ArrayDeque<>();
  /** A blocking call runs on the worker; answers to later requests must wait for its answer. */
  private boolean busy;

  AdminHandler(AdminBackend backend, Executor worker, AtomicBoolean drained) {
    this.backend = backend;
    this.worker = worker;
    this.drained = drained;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      FullHttpResponse response =
          encode(Reply.text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request\n"), request.protocolVersion());
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    Pending pending =
        new Pending(
            Endpoint.forPath(path),
            request.method(),
            path,
            HttpUtil.isKeepAlive(request),
            request.protocolVersion(),
            request.headers().get(HttpHeaderNames.ORIGIN),
            request.headers().get(HttpHeaderNames.HOST));
    if (busy) {
      waiting.add(pending);
    } else {
      serve(ctx, pending);
    }
  }

  private void serve(ChannelHandlerContext ctx, Pending request) {
    Endpoint endpoint = request.endpoint();
    if (endpoint == null) {
      String body = "no such endpoint: " + request.path() + "\n" + NOT_FOUND_BODY;
      write(ctx, request, Reply.text(HttpResponseStatus.NOT_FOUND, body));
      return;
    }
    if (!endpoint.method.equals(request.method())) {
      FullHttpResponse response =
          encode(
              Reply.text(
                  HttpResponseStatus.METHOD_NOT_ALLOWED,
                  request.method() + " is not allowed on " + endpoint.path + "; use " + endpoint.method + "\n"),
              request.version());
      response.headers().set(HttpHeaderNames.ALLOW, endpoint.method.name());
      write(ctx, request, response);
      return;
    }
    if (endpoint.method.equals(HttpMethod.POST) && isCrossOrigin(request)) {
      // A web page elsewhere can make the browser POST here (no preflight for a bodiless POST); only the dashboard
      // served by this very server, and clients that send no Origin (curl, bin/metaproxy), may change state.
      write(ctx, request, Reply.text(HttpResponseStatus.FORBIDDEN, "cross-origin request refused\n"));
      return;
    }
    switch (endpoint) {
      case DASHBOARD -> write(ctx, request, new Reply(HttpResponseStatus.OK, HTML, DashboardPage.HTML));
      case READY -> write(ctx, request, guarded(this::ready));
      case PROMETHEUS_STATS -> write(ctx, request, guarded(() -> ok(PROMETHEUS, backend.prometheusText())));
      case CONFIG_DUMP -> write(ctx, request, guarded(() -> ok(JSON, backend.configDumpJson())));
      case CLUSTERS -> write(ctx, request, guarded(() -> ok(TEXT, backend.clustersText())));
      case PLUGINS -> write(ctx, request, guarded(() -> ok(JSON, backend.pluginsJson())));
      case RELOAD -> offload(ctx, request, this::reload);
      case DRAIN -> offload(ctx, request, this::drain);
    }
  }

  private Reply ready() {
    if (backend.isReady()) {
      return Reply.text(HttpResponseStatus.OK, "LIVE");
    }
    return Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, drained.get() ? "DRAINING" : "NOT READY");
  }

  private Reply reload() {
    ReloadResult result = backend.reload();
    return Reply.text(result.success() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST, result.message());
  }

  private Reply drain() {
    // Set first, so that /ready says DRAINING (not NOT READY) while the backend is still closing connections.
    drained.set(true);
    try {
      backend.drain();
    } catch (RuntimeException e) {
      drained.set(false);
      throw e;
    }
    return Reply.text(HttpResponseStatus.OK, "draining");
  }

  /** Runs {@code call} on the worker and answers on the event loop; reading pauses until then. */
  private void offload(ChannelHandlerContext ctx, Pending request, Supplier<Reply> call) {
    busy = true;
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<Reply> reply;
    try {
      reply = CompletableFuture.supplyAsync(() -> guarded(call), worker);
    } catch (RejectedExecutionException shuttingDown) {
      reply =
          CompletableFuture.completedFuture(
              Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "admin server is shutting down\n"));
    }
    reply.whenComplete(
        (answer, failure) -> {
          // An Error thrown by the backend still gets an answer, or the connection would wait forever.
          Reply finalAnswer = failure == null ? answer : internalError(failure);
          try {
            ctx.executor().execute(() -> finishOffloaded(ctx, request, finalAnswer));
          } catch (RejectedExecutionException serverClosed) {
            // The event loop is gone, and the connection with it: nobody is left to answer.
          }
        });
  }

  private void finishOffloaded(ChannelHandlerContext ctx, Pending request, Reply answer) {
    write(ctx, request, answer);
    busy = false;
    ctx.channel().config().setAutoRead(true);
    Pending next;
    while (!busy && (next = waiting.poll()) != null) {
      serve(ctx, next);
    }
  }

  /** {@code call}'s reply, or a 500 carrying the exception's message when the backend throws. */
  private static Reply guarded(Supplier<Reply> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return internalError(e);
    }
  }

  private static Reply internalError(Throwable failure) {
    log.warn("admin backend failed", failure);
    return Reply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + failure + "\n");
  }

  private static Reply ok(String contentType, String body) {
    if (body == null) {
      throw new IllegalStateException("the admin backend returned null");
    }
    return new Reply(HttpResponseStatus.OK, contentType, body);
  }

  private static boolean isCrossOrigin(Pending request) {
    String origin = request.origin();
    if (origin == null) {
      return false;
    }
    String host = request.hostHeader();
    return host == null || !(origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
  }

  private void write(ChannelHandlerContext ctx, Pending request, Reply reply) {
    write(ctx, request, encode(reply, request.version()));
  }

  private void write(ChannelHandlerContext ctx, Pending request, FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, request.keepAlive());
    if (request.keepAlive()) {
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** A response owning a fresh buffer; Netty releases it once written, or when the write fails. */
  private static FullHttpResponse encode(Reply reply, HttpVersion version) {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(version, reply.status(), Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("admin connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  private static String notFoundBody() {
    StringBuilder body = new StringBuilder("endpoints:\n");
    for (Endpoint endpoint : Endpoint.values()) {
      body.append(String.format("  %-4s %-18s %s\n", endpoint.method, endpoint.path, endpoint.description));
    }
    return body.toString();
  }
}
