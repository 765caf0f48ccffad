package io.metaproxy.bench.echo;

import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.Frame;
import io.metaproxy.bench.protocol.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers each two-way request with the reply template (request id patched in) and each heartbeat with a heartbeat
 * reply; one-way requests and stray responses get nothing. Replies to everything one read delivered go out as a
 * single buffer and a single flush.
 *
 * <p>Buffers: the cumulation belongs to {@link ByteToMessageDecoder}; the reply batch is allocated here and handed
 * to {@code ctx.write}, which releases it.
 *
 * <p>What it answered is added to the server's count once per batch, not per request, so that counting costs the
 * backend next to nothing.
 */
final class EchoHandler extends ByteToMessageDecoder {
  private final BenchProtocol protocol;
  private final byte[] reply;
  private final byte[] heartbeatReply;
  private final LongAdder answered;
  private final Frame frame = new Frame();
  private ByteBuf batch;
  private int batchRequests;

  EchoHandler(BenchProtocol protocol, byte[] reply, byte[] heartbeatReply, LongAdder answered) {
    this.protocol = protocol;
    this.reply = reply;
    this.heartbeatReply = heartbeatReply;
    this.answered = answered;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      while (protocol.peek(in, frame)) {
        switch (frame.kind()) {
          case REQUEST -> {
            append(ctx, reply, frame.requestId());
            batchRequests++;
          }
          case HEARTBEAT_REQUEST -> append(ctx, heartbeatReply, frame.requestId());
          default -> { } // nothing answers a one-way request or a response
        }
        in.skipBytes(frame.length());
      }
    } catch (MalformedFrameException e) {
      in.skipBytes(in.readableBytes());
      System.err.println("echo: closing " + ctx.channel().remoteAddress() + ": " + e.getMessage());
      ctx.close();
    }
  }

  private void append(ChannelHandlerContext ctx, byte[] template, long requestId) {
    if (batch == null) {
      batch = ctx.alloc().directBuffer(template.length * 4);
    }
    int start = batch.writerIndex();
    batch.writeBytes(template);
    protocol.writeRequestId(batch, start, requestId);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    ByteBuf replies = batch;
    if (replies != null) {
      batch = null;
      // counted before the replies leave, so that a client that has its responses finds them counted
      answered.add(batchRequests);
      batchRequests = 0;
      ctx.writeAndFlush(replies, ctx.voidPromise());
    }
    super.channelReadComplete(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (batch != null) {
      batch.release();
      batch = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a client that resets its connection is not the echo server's problem
    ctx.close();
  }
}
