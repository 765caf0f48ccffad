package io.metaproxy.bench.load;

import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.Frame;
import io.metaproxy.bench.protocol.FrameKind;
import io.metaproxy.bench.protocol.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One load generator connection: writes requests as its {@link RequestLedger} says, reads response headers and hands
 * their ids back to the ledger. Every method runs on the channel's event loop.
 *
 * <p>Requests go out in batches: everything due at one moment (a timer tick, or the refills after one read) is copied
 * into one buffer, patched with its ids, and written with one flush. Buffers: the cumulation belongs to {@link
 * ByteToMessageDecoder}; a batch is allocated here and released by {@code ctx.write}.
 */
final class LoadConnection extends ByteToMessageDecoder {
  private static final long SWEEP_MILLIS = 200;

  private final int index;
  private final BenchProtocol protocol;
  private final byte[] request;
  private final byte[] heartbeatReply;
  private final int maxInFlight;
  private final long timeoutNanos;
  private final ThreadLocal<LoopStats> loopStats;
  private final Frame frame = new Frame();
  private final Runnable timerTask = this::onTimer;
  private final RequestLedger.Wire wire = this::append;

  private ChannelHandlerContext ctx;
  private LoopStats stats;
  private RequestLedger ledger;
  private ByteBuf batch;
  private ScheduledFuture<?> timer;
  private ScheduledFuture<?> sweeper;

  LoadConnection(int index, BenchProtocol protocol, byte[] request, int maxInFlight, long timeoutNanos,
      ThreadLocal<LoopStats> loopStats) {
    this.index = index;
    this.protocol = protocol;
    this.request = request;
    this.heartbeatReply = protocol.heartbeatResponse();
    this.maxInFlight = maxInFlight;
    this.timeoutNanos = timeoutNanos;
    this.loopStats = loopStats;
  }

  int index() {
    return index;
  }

  RequestLedger ledger() {
    return ledger;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    this.ctx = ctx;
    this.stats = loopStats.get();
    if (stats == null) {
      throw new IllegalStateException("connection registered on a loop the generator does not know");
    }
    this.ledger = new RequestLedger(maxInFlight, stats);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    stats.connections.add(this);
    sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stats.connections.remove(this);
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    cancelTimer();
    if (ledger.outstanding() > 0 || ledger.mode() != RequestLedger.Mode.IDLE) {
      ledger.connectionLost();
    }
    super.channelInactive(ctx);
  }

  // ---- control, from tasks the generator submits to this loop --------------------------------------------------

  void startClosed(int depth) {
    cancelTimer();
    ledger.startClosed(depth);
    pump(System.nanoTime());
  }

  void startOpen(OpenLoopSchedule schedule) {
    cancelTimer();
    ledger.startOpen(schedule);
    pump(System.nanoTime());
  }

  void stopClosed() {
    ledger.stopClosed();
  }

  void abandon() {
    cancelTimer();
    ledger.abandon();
  }

  // ---- I/O ----------------------------------------------------------------------------------------------------------

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // one clock read per read batch: the frames of one read arrived together
    long now = System.nanoTime();
    try {
      while (protocol.peek(in, frame)) {
        FrameKind kind = frame.kind();
        if (kind == FrameKind.RESPONSE) {
          ledger.onResponse(frame.requestId(), frame.ok(), now);
        } else if (kind == FrameKind.HEARTBEAT_REQUEST) {
          appendFrame(heartbeatReply, frame.requestId());
        }
        in.skipBytes(frame.length());
      }
    } catch (MalformedFrameException e) {
      in.skipBytes(in.readableBytes());
      System.err.println("load: closing connection " + index + ": " + e.getMessage());
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    pump(System.nanoTime());
    super.channelReadComplete(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    System.err.println("load: connection " + index + " failed: " + cause);
    ctx.close();
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (batch != null) {
      batch.release();
      batch = null;
    }
  }

  /** Sends what is due, flushes, and arms the timer for the next intended send. */
  private void pump(long now) {
    if (!ctx.channel().isActive()) {
      return;
    }
    ledger.sendDue(now, wire);
    ByteBuf pending = batch;
    if (pending != null) {
      batch = null;
      ctx.writeAndFlush(pending, ctx.voidPromise());
    }
    if (timer == null && ledger.wantsTimer()) {
      timer = ctx.executor().schedule(timerTask, Math.max(0, ledger.nextDue() - now), TimeUnit.NANOSECONDS);
    }
  }

  private void onTimer() {
    timer = null;
    pump(System.nanoTime());
  }

  private void sweep() {
    long now = System.nanoTime();
    ledger.expire(now, timeoutNanos);
    pump(now);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void append(long requestId) {
    appendFrame(request, requestId);
  }

  private void appendFrame(byte[] template, long requestId) {
    if (batch == null) {
      batch = ctx.alloc().directBuffer(template.length * 2);
    }
    int start = batch.writerIndex();
    batch.writeBytes(template);
    protocol.writeRequestId(batch, start, requestId);
  }
}
