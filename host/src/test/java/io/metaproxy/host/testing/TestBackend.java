package io.metaproxy.host.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Netty server speaking {@link TestCodec}'s protocol: answers each request with header {@code served-by} (its
 * name), the request's headers prefixed {@code seen-}, and the request's body; answers heartbeats; records every frame
 * it receives. Requests whose header {@code delay-ms} is set are answered that much later; {@code no-reply} is never
 * answered.
 */
public final class TestBackend implements AutoCloseable {
  private final String name;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final BlockingQueue<TestCodec.Frame> received = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();

  public TestBackend(String name) throws InterruptedException {
    this.name = name;
    this.server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(TestCodec.MAX, 0, 4, 0, 0));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                answer(ctx, TestCodec.parse(msg));
              }
            });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  private void answer(ChannelHandlerContext ctx, TestCodec.Frame request) {
    received.add(request);
    if (request.type() == TestCodec.HEARTBEAT) {
      reply(ctx, new TestCodec.Frame(TestCodec.HEARTBEAT_REPLY, request.id(), Map.of(), ""));
      return;
    }
    if (request.type() != TestCodec.REQUEST || request.headers().containsKey("no-reply")) {
      return;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("served-by", name);
    request.headers().forEach((k, v) -> headers.put("seen-" + k, v));
    TestCodec.Frame response = new TestCodec.Frame(TestCodec.RESPONSE, request.id(), headers, request.body());
    String delay = request.headers().get("delay-ms");
    if (delay != null) {
      ctx.executor().schedule(() -> reply(ctx, response), Long.parseLong(delay), TimeUnit.MILLISECONDS);
    } else {
      reply(ctx, response);
    }
  }

  private static void reply(ChannelHandlerContext ctx, TestCodec.Frame frame) {
    ByteBuf out = ctx.alloc().buffer();
    TestCodec.write(frame, out);
    ctx.writeAndFlush(out);
  }

  public String address() {
    java.net.InetSocketAddress address = (java.net.InetSocketAddress) server.localAddress();
    return "127.0.0.1:" + address.getPort();
  }

  /** The frames received so far, oldest first (waits up to 5s for the next when asked with {@link #next()}). */
  public TestCodec.Frame next() throws InterruptedException {
    return received.poll(5, TimeUnit.SECONDS);
  }

  public int received() {
    return received.size();
  }

  /** TCP connections accepted so far. */
  public int connectionsAccepted() {
    return connections.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
