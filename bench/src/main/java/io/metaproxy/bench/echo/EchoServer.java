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
import java.util.concurrent.atomic.LongAdder;

/** A running echo backend for one protocol. Close it to stop listening and free its threads. */
public final class EchoServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel listener;
  private final LongAdder answered;

  private EchoServer(EventLoopGroup group, Channel listener, LongAdder answered) {
    this.group = group;
    this.listener = listener;
    this.answered = answered;
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
    LongAdder answered = new LongAdder();
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
              channel.pipeline().addLast(new EchoHandler(protocol, reply, heartbeatReply, answered));
            }
          })
          .bind(host, port).sync().channel();
      return new EchoServer(group, listener, answered);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /**
   * Two-way requests answered so far (heartbeats not counted): which server a load reached, in tests, and what a
   * session's backend served, in its log.
   */
  public long answered() {
    return answered.sum();
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
