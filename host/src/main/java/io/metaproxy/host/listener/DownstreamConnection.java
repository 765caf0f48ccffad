package io.metaproxy.host.listener;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.host.filter.Downstream;
import io.metaproxy.host.filter.Exchange;
import io.metaproxy.host.server.ListenerRuntime;
import io.metaproxy.host.server.Snapshot;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.transport.LoopIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the pipeline's decoder and the {@link Downstream} its exchanges write to. Lives on one
 * event loop.
 *
 * <p>Buffer ownership: each decoded frame becomes a retained slice of the cumulation buffer owned by its Metadata,
 * which passes to the {@link Exchange}. {@link #write} takes ownership of what it is given.
 */
public final class DownstreamConnection extends ByteToMessageDecoder implements Downstream {
  private static final Logger log = LoggerFactory.getLogger(DownstreamConnection.class);

  private final String listenerName;
  private final SnapshotSource snapshots;
  private final ProxyStats stats;
  private final CodecFactory codecFactory;
  private final Codec codec;
  private final int maxFrameSize;
  private Channel channel;
  private EventLoop loop;
  private String peer = "unknown";
  private int inFlight;
  private boolean closing;

  public DownstreamConnection(
      String listenerName, SnapshotSource snapshots, ProxyStats stats, CodecFactory codecFactory, int maxFrameSize) {
    this.listenerName = listenerName;
    this.snapshots = snapshots;
    this.stats = stats;
    this.codecFactory = codecFactory;
    this.codec = codecFactory.create();
    this.maxFrameSize = maxFrameSize;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    loop = channel.eventLoop();
    SocketAddress remote = channel.remoteAddress();
    if (remote instanceof InetSocketAddress address) {
      peer = address.getAddress().getHostAddress() + ":" + address.getPort();
    }
    stats.downstreamConnectionOpened(listenerName);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stats.downstreamConnectionClosed(listenerName);
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable() && !closing) {
      int start = in.readerIndex();
      Metadata metadata = new Metadata();
      DecodeStatus status;
      try {
        status = codec.decode(in, metadata);
      } catch (CodecException | RuntimeException e) {
        malformed(in, e.getMessage() == null ? e.toString() : e.getMessage());
        return;
      }
      if (status == DecodeStatus.WAIT_FOR_DATA) {
        in.readerIndex(start);
        if (in.readableBytes() > maxFrameSize) {
          malformed(in, "frame larger than max_frame_size " + maxFrameSize + " bytes");
        }
        return;
      }
      int length = in.readerIndex() - start;
      if (length <= 0) {
        malformed(in, "codec reported a frame but consumed no bytes");
        return;
      }
      metadata.attachFrame(in.retainedSlice(start, length));
      onFrame(metadata);
    }
  }

  private void malformed(ByteBuf in, String reason) {
    closing = true;
    in.skipBytes(in.readableBytes());
    stats.decodeError(listenerName);
    log.info("[{}] closing connection from {}: malformed frame: {}", listenerName, peer, reason);
    channel.close();
  }

  private void onFrame(Metadata metadata) {
    MessageType type = metadata.messageType();
    if (type == MessageType.HEARTBEAT) {
      ByteBuf reply = channel.alloc().buffer(32);
      if (codec.replyToHeartbeat(metadata, reply)) {
        write(reply);
      } else {
        reply.release();
      }
      metadata.release();
      return;
    }
    if (!type.isRequest()) {
      log.debug("[{}] {} sent a {} frame; dropped", listenerName, peer, type);
      metadata.release();
      return;
    }
    Snapshot snapshot = snapshots.current();
    ListenerRuntime listener = snapshot.listener(listenerName);
    if (listener == null) {
      // The listener was removed by a reload: answer, then let the client reconnect elsewhere.
      rejectAndRelease(metadata, ErrorType.UNSPECIFIED, "listener " + listenerName + " was removed");
      closing = true;
      channel.close();
      return;
    }
    if (metadata.frameSize() > maxFrameSize) {
      rejectAndRelease(metadata, ErrorType.BAD_REQUEST,
          "frame of " + metadata.frameSize() + " bytes exceeds max_frame_size " + maxFrameSize);
      return;
    }
    inFlight++;
    Exchange.start(snapshot, listener, this, LoopIndex.current(), metadata);
  }

  private void rejectAndRelease(Metadata request, ErrorType error, String message) {
    if (request.messageType() != MessageType.ONEWAY) {
      ByteBuf out = channel.alloc().buffer(128);
      try {
        codec.onError(request, error, message, out);
        write(out);
      } catch (RuntimeException e) {
        out.release();
      }
    }
    request.release();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      if (inFlight == 0) {
        log.debug("[{}] closing idle connection from {}", listenerName, peer);
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("[{}] connection from {} failed: {}", listenerName, peer, cause.toString());
    ctx.close();
  }

  // ---- Downstream ----------------------------------------------------------------------------------------------

  @Override
  public EventLoop loop() {
    return loop;
  }

  @Override
  public Codec codec() {
    return codec;
  }

  @Override
  public CodecFactory codecFactory() {
    return codecFactory;
  }

  @Override
  public String peerAddress() {
    return peer;
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public void write(ByteBuf frame) {
    if (channel.isActive()) {
      channel.writeAndFlush(frame, channel.voidPromise());
    } else {
      frame.release();
    }
  }

  @Override
  public void exchangeDone() {
    inFlight--;
  }
}
