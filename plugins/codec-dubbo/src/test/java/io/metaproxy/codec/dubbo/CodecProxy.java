package io.metaproxy.codec.dubbo;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A minimal proxy built on the codec, as the host uses it: one upstream connection per downstream connection on the
 * same event loop, new request ids upstream (restored on the way back), heartbeats answered locally, a mutation on
 * each request and response, an error reply for the method {@code refuse}, and original bytes forwarded with only
 * the id patched when the request carries {@code x-plain}. Test scaffolding for real Dubbo clients and servers.
 */
final class CodecProxy implements AutoCloseable {
  final AtomicInteger heartbeatsAnswered = new AtomicInteger();
  final AtomicInteger framesForwardedAsOriginalBytes = new AtomicInteger();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final InetSocketAddress upstream;

  CodecProxy(InetSocketAddress upstream) throws InterruptedException {
    this.upstream = upstream;
    this.server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new Downstream());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Cuts frames out of a connection's bytes with the codec; owns the cumulation. */
  private abstract static class Framing extends ChannelInboundHandlerAdapter {
    final Codec codec = new DubboCodecFactory().create();
    private ByteBuf cumulation;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws CodecException {
      ByteBuf bytes = (ByteBuf) msg;
      if (cumulation == null) {
        cumulation = ctx.alloc().buffer(Math.max(1024, bytes.readableBytes()));
      }
      cumulation.writeBytes(bytes);
      bytes.release();
      while (cumulation.isReadable()) {
        int start = cumulation.readerIndex();
        Metadata metadata = new Metadata();
        if (codec.decode(cumulation, metadata) == DecodeStatus.WAIT_FOR_DATA) {
          cumulation.readerIndex(start);
          break;
        }
        metadata.attachFrame(cumulation.retainedSlice(start, cumulation.readerIndex() - start));
        try {
          onFrame(ctx, metadata);
        } finally {
          metadata.release();
        }
      }
      cumulation.discardReadBytes();
    }

    abstract void onFrame(ChannelHandlerContext ctx, Metadata metadata);

    void write(Channel channel, Consumer<ByteBuf> writer) {
      ByteBuf out = channel.alloc().buffer();
      writer.accept(out);
      channel.writeAndFlush(out);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (cumulation != null) {
        cumulation.release();
        cumulation = null;
      }
      ctx.fireChannelInactive();
    }
  }

  private final class Downstream extends Framing {
    private final Map<Long, Long> clientIds = new HashMap<>();
    private Channel upstreamChannel;
    private long nextUpstreamId = 1_000_000;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel downstream = ctx.channel();
      new Bootstrap()
          .group(downstream.eventLoop())
          .channel(NioSocketChannel.class)
          .handler(new Upstream(downstream, clientIds))
          .connect(upstream)
          .addListener(connected -> {
            if (!connected.isSuccess()) {
              downstream.close();
              return;
            }
            upstreamChannel = ((io.netty.channel.ChannelFuture) connected).channel();
            downstream.config().setAutoRead(true);
          });
    }

    @Override
    void onFrame(ChannelHandlerContext ctx, Metadata request) {
      Channel downstream = ctx.channel();
      if (request.messageType() == MessageType.HEARTBEAT) {
        write(downstream, out -> {
          if (codec.replyToHeartbeat(request, out)) {
            heartbeatsAnswered.incrementAndGet();
          }
        });
        return;
      }
      if ("refuse".equals(request.get("method"))) {
        write(downstream, out -> codec.onError(request, ErrorType.ROUTE_NOT_FOUND,
            "no route for " + request.operation(), out));
        return;
      }
      long upstreamId = nextUpstreamId++;
      if (request.messageType() == MessageType.REQUEST) {
        clientIds.put(upstreamId, request.requestId());
      }
      request.setRequestId(upstreamId);
      if (request.contains("x-plain")) {
        ByteBuf frame = request.originalFrame();
        if (!codec.rewriteRequestId(frame, upstreamId)) {
          throw new AssertionError("dubbo patches ids in place");
        }
        framesForwardedAsOriginalBytes.incrementAndGet();
        upstreamChannel.writeAndFlush(frame.retain());
        return;
      }
      Mutation mutation = new Mutation();
      mutation.set("x-via", "metaproxy");
      mutation.set("x-seen-interface", request.get("interface"));
      write(upstreamChannel, out -> codec.encode(request, mutation, out));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstreamChannel != null) {
        upstreamChannel.close();
      }
      super.channelInactive(ctx);
    }
  }

  private final class Upstream extends Framing {
    private final Channel downstream;
    private final Map<Long, Long> clientIds;

    Upstream(Channel downstream, Map<Long, Long> clientIds) {
      this.downstream = downstream;
      this.clientIds = clientIds;
    }

    @Override
    void onFrame(ChannelHandlerContext ctx, Metadata response) {
      if (response.messageType() == MessageType.HEARTBEAT) {
        write(ctx.channel(), out -> codec.replyToHeartbeat(response, out));
        return;
      }
      Long clientId = clientIds.remove(response.requestId());
      if (clientId == null) {
        return;
      }
      response.setRequestId(clientId);
      Mutation mutation = new Mutation();
      mutation.set("x-proxied", "yes");
      write(downstream, out -> codec.encode(response, mutation, out));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      downstream.close();
      super.channelInactive(ctx);
    }
  }
}
