package io.metaproxy.codec.thrift;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal proxy for tests that drives a codec the way the host does: one downstream and one upstream connection,
 * each with its own codec from the factory; requests get fresh ids upstream (patched in place with {@code
 * rewriteRequestId} when unmutated, otherwise encoded by the upstream codec), responses get the client's id back,
 * and a request the policy refuses is answered with {@code onError}. Frames are attached as retained slices of the
 * read buffer, as the host attaches them.
 */
final class CodecRelay implements AutoCloseable {

  /** Decides a request's fate: fills the mutation and returns null to forward it, or returns why it is refused. */
  interface Policy {
    ErrorType route(Metadata request, Mutation mutation);
  }

  /** Frames written as their (patched) original bytes. */
  final AtomicInteger rewritten = new AtomicInteger();
  /** Frames re-encoded by a codec. */
  final AtomicInteger encoded = new AtomicInteger();

  private final Channel server;
  private final CodecFactory factory;
  private final Policy policy;
  private final InetSocketAddress upstreamAddress;

  private CodecRelay(EventLoopGroup group, CodecFactory factory, InetSocketAddress upstreamAddress, Policy policy)
      throws InterruptedException {
    this.factory = factory;
    this.policy = policy;
    this.upstreamAddress = upstreamAddress;
    this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.config().setAutoRead(false); // until the upstream connection is up
            channel.pipeline().addLast(new Downstream());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  static CodecRelay start(EventLoopGroup group, CodecFactory factory, int upstreamPort, Policy policy)
      throws InterruptedException {
    return new CodecRelay(group, factory, new InetSocketAddress("127.0.0.1", upstreamPort), policy);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  /** The frame to send with {@code metadata}'s id and {@code mutation}: patched in place when possible. */
  private ByteBuf outgoing(Codec codec, Metadata metadata, Mutation mutation, Channel channel) {
    ByteBuf frame = metadata.originalFrame();
    if (mutation.isEmpty() && codec.rewriteRequestId(frame, metadata.requestId())) {
      rewritten.incrementAndGet();
      return frame.retainedDuplicate();
    }
    ByteBuf out = channel.alloc().buffer();
    codec.encode(metadata, mutation, out);
    encoded.incrementAndGet();
    return out;
  }

  /** Reads frames off one connection, handing each decoded message (frame attached) to {@link #onMessage}. */
  private abstract static class FrameReader extends ChannelInboundHandlerAdapter {
    final Codec codec;
    private ByteBuf cumulation;

    FrameReader(Codec codec) {
      this.codec = codec;
    }

    abstract void onMessage(ChannelHandlerContext ctx, Metadata message);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      if (cumulation == null) {
        cumulation = bytes;
      } else {
        // copy rather than discard read bytes: attached frames may still share the old buffer's memory
        ByteBuf merged = ctx.alloc().buffer(cumulation.readableBytes() + bytes.readableBytes());
        merged.writeBytes(cumulation).writeBytes(bytes);
        cumulation.release();
        bytes.release();
        cumulation = merged;
      }
      try {
        while (cumulation.isReadable()) {
          Metadata metadata = new Metadata();
          int start = cumulation.readerIndex();
          if (codec.decode(cumulation, metadata) == DecodeStatus.WAIT_FOR_DATA) {
            cumulation.readerIndex(start);
            break;
          }
          metadata.attachFrame(cumulation.retainedSlice(start, cumulation.readerIndex() - start));
          try {
            onMessage(ctx, metadata);
          } finally {
            metadata.release();
          }
        }
      } catch (CodecException e) {
        ctx.close();
      }
      if (!cumulation.isReadable()) {
        cumulation.release();
        cumulation = null;
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      if (cumulation != null) {
        cumulation.release();
        cumulation = null;
      }
    }
  }

  private final class Downstream extends FrameReader {
    private final Map<Long, Long> clientIds = new HashMap<>();
    private long nextUpstreamId = 1000;
    private Upstream upstreamReader;

    Downstream() {
      super(factory.create());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel downstream = ctx.channel();
      upstreamReader = new Upstream(downstream, clientIds);
      ChannelFuture connect = new Bootstrap().group(downstream.eventLoop()).channel(NioSocketChannel.class)
          .handler(upstreamReader).connect(upstreamAddress);
      connect.addListener(connected -> {
        if (connected.isSuccess()) {
          upstreamReader.channel = connect.channel();
          downstream.config().setAutoRead(true);
        } else {
          downstream.close();
        }
      });
      connect.channel().closeFuture().addListener(closed -> downstream.close());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstreamReader != null && upstreamReader.channel != null) {
        upstreamReader.channel.close();
      }
    }

    @Override
    void onMessage(ChannelHandlerContext ctx, Metadata request) {
      Channel upstream = upstreamReader.channel;
      Mutation mutation = new Mutation();
      ErrorType refusal = policy.route(request, mutation);
      if (refusal != null) {
        ByteBuf reply = ctx.alloc().buffer();
        codec.onError(request, refusal, "no route for " + request.operation(), reply);
        if (reply.isReadable()) {
          ctx.writeAndFlush(reply);
        } else {
          reply.release();
        }
        return;
      }
      long upstreamId = nextUpstreamId++;
      if (request.messageType() == MessageType.REQUEST) {
        clientIds.put(upstreamId, request.requestId());
      }
      request.setRequestId(upstreamId);
      // the upstream connection's codec encodes what its downstream twin decoded, as in the host
      upstream.writeAndFlush(outgoing(upstreamReader.codec, request, mutation, upstream));
    }
  }

  private final class Upstream extends FrameReader {
    private final Channel downstream;
    private final Map<Long, Long> clientIds;
    private Channel channel;

    Upstream(Channel downstream, Map<Long, Long> clientIds) {
      super(factory.create());
      this.downstream = downstream;
      this.clientIds = clientIds;
    }

    @Override
    void onMessage(ChannelHandlerContext ctx, Metadata response) {
      Long clientId = clientIds.remove(response.requestId());
      if (clientId == null) {
        ctx.close();
        return;
      }
      response.setRequestId(clientId);
      downstream.writeAndFlush(outgoing(codec, response, new Mutation(), downstream));
    }
  }
}
