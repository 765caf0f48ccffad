package io.metaproxy.bench.echo;

import io.metaproxy.bench.net.Transport;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A running echo backend for one protocol. Close it to stop listening and free its threads. */
public final class EchoServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel listener;

  private EchoServer(EventLoopGroup group, Channel listener) {
    this.group = group;
    this.listener = listener;
  }

  /**
   * Starts listening.
   *
   * @param port 0 for an ephemeral port; see {@link #port()}
   * @param threads event loop threads
   * @param payloadSize characters of payload in every reply
   */
  public static EchoServer start(BenchProtocol protocol, String host, int port, int threads, int payloadSize)
      throws InterruptedException {
    byte[] reply = protocol.response(payloadSize);
    byte[] heartbeatReply = protocol.heartbeatResponse();
    EventLoopGroup group = Transport.group(threads, "echo");
    try {
      Channel listener = new ServerBootstrap()
          .group(group)
          .channel(Transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
              channel.pipeline().addLast(new EchoHandler(protocol, reply, heartbeatReply));
            }
          })
          .bind(host, port).sync().channel();
      return new EchoServer(group, listener);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
