package io.metaproxy.host.upstream;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.host.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an upstream endpoint, on one event loop, with its own codec instance. It is the channel's
 * decoder as well: upstream bytes become response Metadata, matched to their request by id.
 *
 * <p>Buffer ownership: a request's frame stays owned by its Metadata. What goes on the wire is a copy of it (unchanged,
 * or id-patched in place when multiplexing) or {@link Codec#encode}'s output, laid into this connection's {@link
 * FrameRun} and handed to the channel as retained slices of the run's buffer; or, for frames too big for a run, a
 * retained duplicate of the frame or a buffer of its own. Netty releases what it was handed after the write. A decoded
 * response's Metadata (with its frame) passes to the request's {@link UpstreamRequest#onUpstreamResponse}.
 *
 * <p>Flushes are consolidated here (not by a FlushConsolidationHandler): {@link #send} asks for one flush when the event
 * loop is done with what it is doing, so the requests one read of downstream bytes forwards go up in one write.
 */
final class UpstreamConnection extends ByteToMessageDecoder {
  private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);
  /** Upstream responses may be larger than requests; this only guards against a peer that never ends a frame. */
  private static final int MAX_RESPONSE_FRAME = 64 << 20;
  /** A connection that read nothing for this long sends the protocol's heartbeat, where it has one. */
  private static final int HEARTBEAT_IDLE_SECONDS = 30;
  /** Room a re-encoded frame gets beyond the original's size before the run's buffer would have to grow. */
  private static final int ENCODE_HEADROOM = 1024;

  private enum State { CONNECTING, READY, CLOSED }

  private final EndpointPool pool;
  private final PoolKey key;
  private final Codec codec;
  private final boolean multiplexed;
  private final LongObjectMap<UpstreamRequest> pending = new LongObjectHashMap<>();
  private final List<UpstreamRequest> queued = new ArrayList<>(4);
  private State state = State.CONNECTING;
  private Channel channel;
  private long nextRequestId = 1;
  private int inFlight;
  /** Requests on their way up that are not in the channel yet (copied or re-encoded), laid end to end. */
  private final FrameRun run = new FrameRun(PooledByteBufAllocator.DEFAULT);
  /** Whether {@link #flushTask} is queued on the event loop. */
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushNow;

  UpstreamConnection(EndpointPool pool, PoolKey key, Codec codec, boolean multiplexed) {
    this.pool = pool;
    this.key = key;
    this.codec = codec;
    this.multiplexed = multiplexed;
  }

  void connect(EventLoop loop, Transport transport, int connectTimeoutMillis) {
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .handler(new io.netty.channel.ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // No FlushConsolidationHandler: this connection consolidates its flushes itself (requestFlush), because it
            // must hand its frame run to the channel before each flush anyway.
            // reader idle only (no per-write promise): a connection that heard nothing for a while sends a heartbeat
            ch.pipeline().addLast(new IdleStateHandler(HEARTBEAT_IDLE_SECONDS, 0, 0, TimeUnit.SECONDS));
            ch.pipeline().addLast(UpstreamConnection.this);
          }
        });
    InetSocketAddress unresolved = key.address();
    ChannelFuture future = bootstrap.connect(new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()));
    channel = future.channel();
    future.addListener(f -> {
      if (f.isSuccess()) {
        onConnected();
      } else {
        onConnectFailed(f.cause());
      }
    });
  }

  private void onConnected() {
    if (state != State.CONNECTING) {
      return;
    }
    state = State.READY;
    for (UpstreamRequest request : queued) {
      write(request);
    }
    queued.clear();
    flushNow();
  }

  private void onConnectFailed(Throwable cause) {
    state = State.CLOSED;
    String reason = "connect to " + key.address().getHostString() + ":" + key.address().getPort() + " failed: "
        + describe(cause);
    List<UpstreamRequest> failed = new ArrayList<>(queued);
    queued.clear();
    pool.removed(this, true, reason);
    for (UpstreamRequest request : failed) {
      fail(request, reason, true);
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    if (message == null) {
      return cause.getClass().getSimpleName();
    }
    // Netty prefixes "Connection refused: /127.0.0.1:1234"; the address is already in our message.
    int colon = message.indexOf(": /");
    return colon > 0 ? message.substring(0, colon) : message;
  }

  boolean isUsable() {
    return state != State.CLOSED;
  }

  boolean isMultiplexed() {
    return multiplexed;
  }

  int inFlight() {
    return inFlight;
  }

  void send(UpstreamRequest request) {
    if (!request.isOneway()) {
      inFlight++;
    }
    if (state == State.CONNECTING) {
      queued.add(request);
    } else if (state == State.READY) {
      write(request);
      requestFlush();
    } else {
      fail(request, "upstream connection to " + key + " is closed", false);
    }
  }

  /**
   * Flushes once the event loop has done what it is doing: every request a read of downstream bytes forwards here goes
   * up in one write, as FlushConsolidationHandler would do, with the frame run handed to the channel first.
   */
  private void requestFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flushTask);
    }
  }

  private void flushNow() {
    flushScheduled = false;
    run.emit(channel);
    channel.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!ctx.channel().isWritable()) {
      // over the high-water mark: start draining now rather than at the scheduled flush
      run.emit(channel);
      ctx.flush();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    run.release();
  }

  private void write(UpstreamRequest request) {
    Metadata metadata = request.requestMetadata();
    long id = metadata.requestId();
    if (multiplexed) {
      id = nextUpstreamId();
    }
    if (!request.isOneway()) {
      pending.put(id, request);
    }
    Mutation mutation = request.requestMutation();
    boolean idChanged = id != metadata.requestId();
    metadata.setRequestId(id);
    ByteBuf frame = metadata.originalFrame();
    if (mutation == null || mutation.isEmpty()) {
      if (!idChanged || codec.rewriteRequestId(frame, id)) {
        // The common case: the original bytes (id patched in place when multiplexing), no re-serialization.
        if (!run.copy(frame, channel)) {
          // too big to be worth a copy; the run (emitted by copy) went first
          channel.write(frame.retainedDuplicate(), channel.voidPromise());
        }
        if (request.isOneway()) {
          request.onOnewaySent();
        }
        return;
      }
    }
    // Re-encoded: into the run when it fits (with room for what a mutation typically adds), else a buffer of its own.
    ByteBuf out = run.frameBuffer(frame.readableBytes() + ENCODE_HEADROOM, channel);
    boolean inRun = out != null;
    if (!inRun) {
      out = channel.alloc().buffer(frame.readableBytes() + ENCODE_HEADROOM);
    }
    int frameStart = out.writerIndex();
    try {
      codec.encode(metadata, mutation == null ? new Mutation() : mutation, out);
    } catch (RuntimeException e) {
      if (inRun) {
        run.discardFrame(frameStart);
      } else {
        out.release();
      }
      pending.remove(id);
      fail(request, ErrorType.BAD_REQUEST, "the request cannot be encoded: " + e.getMessage(), false);
      return;
    }
    if (inRun) {
      run.frameWritten(channel);
    } else {
      channel.write(out, channel.voidPromise());
    }
    if (request.isOneway()) {
      request.onOnewaySent();
    }
  }

  /**
   * The next id for a request on this connection: positive and below 2^31, because some protocols carry 32-bit ids
   * (Thrift seqid, Bolt); on wrap-around, ids still waiting for a response are skipped.
   */
  private long nextUpstreamId() {
    long id;
    do {
      id = nextRequestId;
      nextRequestId = nextRequestId == Integer.MAX_VALUE ? 1 : nextRequestId + 1;
    } while (pending.containsKey(id));
    return id;
  }

  /** Forgets a request whose response is no longer wanted (it timed out); returns whether it was here. */
  boolean cancel(UpstreamRequest request) {
    long id = request.requestMetadata().requestId();
    if (pending.get(id) == request) {
      pending.remove(id);
      inFlight--;
      pool.requestDone(this);
      if (!multiplexed) {
        // A late response would otherwise be taken for the next request's.
        close();
      }
      return true;
    } else if (queued.remove(request)) {
      inFlight--;
      pool.requestDone(this);
      return true;
    }
    return false;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable() && state != State.CLOSED) {
      int start = in.readerIndex();
      Metadata response = new Metadata();
      DecodeStatus status;
      try {
        status = codec.decode(in, response);
      } catch (CodecException | RuntimeException e) {
        in.readerIndex(start);
        in.skipBytes(in.readableBytes());
        log.warn("malformed frame from upstream {}: {}; closing the connection", key, e.getMessage());
        close();
        return;
      }
      if (status == DecodeStatus.WAIT_FOR_DATA) {
        in.readerIndex(start);
        if (in.readableBytes() > MAX_RESPONSE_FRAME) {
          log.warn("upstream {} sent a frame over {} bytes; closing the connection", key, MAX_RESPONSE_FRAME);
          in.skipBytes(in.readableBytes());
          close();
        }
        return;
      }
      response.attachFrame(in.retainedSlice(start, in.readerIndex() - start));
      dispatch(response);
    }
  }

  private void dispatch(Metadata response) {
    if (response.messageType() == MessageType.HEARTBEAT) {
      ByteBuf reply = channel.alloc().buffer(32);
      if (codec.replyToHeartbeat(response, reply)) {
        run.emit(channel);
        channel.writeAndFlush(reply, channel.voidPromise());
      } else {
        reply.release();
      }
      response.release();
      return;
    }
    UpstreamRequest request = pending.remove(response.requestId());
    if (request == null) {
      log.debug("upstream {} answered unknown request id {} (timed out?); dropped", key, response.requestId());
      response.release();
      return;
    }
    inFlight--;
    pool.requestDone(this);
    request.onUpstreamResponse(response);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent && state == State.READY) {
      if (!run.hasFrames()) {
        run.release(); // nothing read for a while: the connection keeps no buffer while it idles
      }
      ByteBuf heartbeat = ctx.alloc().buffer(32);
      if (codec.writeHeartbeat(multiplexed ? nextUpstreamId() : 0, heartbeat)) {
        run.emit(channel);
        ctx.writeAndFlush(heartbeat, ctx.voidPromise());
      } else {
        heartbeat.release();
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    boolean wasOpen = state != State.CLOSED;
    state = State.CLOSED;
    if (wasOpen) {
      pool.removed(this, false, null);
    }
    failAll("upstream " + key.address().getHostString() + ":" + key.address().getPort() + " closed the connection");
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("upstream {} connection error: {}", key, cause.toString());
    close();
  }

  void close() {
    if (state != State.CLOSED) {
      state = State.CLOSED;
      pool.removed(this, false, null);
    }
    if (channel != null) {
      channel.close();
    }
  }

  private void failAll(String reason) {
    if (pending.isEmpty() && queued.isEmpty()) {
      return;
    }
    List<UpstreamRequest> failed = new ArrayList<>(pending.values());
    failed.addAll(queued);
    pending.clear();
    queued.clear();
    for (UpstreamRequest request : failed) {
      fail(request, reason, false);
    }
  }

  private void fail(UpstreamRequest request, String reason, boolean connectFailure) {
    fail(request, ErrorType.UPSTREAM_FAILURE, reason, connectFailure);
  }

  private void fail(UpstreamRequest request, ErrorType error, String reason, boolean connectFailure) {
    if (!request.isOneway()) {
      inFlight--;
      pool.requestDone(this);
    }
    request.onUpstreamFailure(error, reason, connectFailure);
  }
}
