package io.metaproxy.host.listener;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.host.config.ListenerConfig;
import io.metaproxy.host.stats.ProxyStats;
import io.metaproxy.host.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One listener's server socket. Its settings (codec, frame limit, idle timeout) are read from the current snapshot
 * for every accepted connection, so a reload applies to new connections without rebinding.
 */
public final class ListenerServer implements AutoCloseable {
  private final String name;
  private final InetSocketAddress address;
  private final Channel serverChannel;
  private final ChannelGroup connections;

  /** What a new connection needs from the current snapshot. */
  public record ConnectionSettings(CodecFactory codecFactory, ListenerConfig config) {}

  private ListenerServer(String name, InetSocketAddress address, Channel serverChannel, ChannelGroup connections) {
    this.name = name;
    this.connections = connections;
    this.address = address;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds {@code config}'s address.
   *
   * @param settings the current codec and listener settings, read for every new connection
   * @throws InterruptedException when interrupted while binding; a bind failure throws Netty's exception
   */
  public static ListenerServer bind(
      ListenerConfig config,
      Transport transport,
      SnapshotSource snapshots,
      Supplier<ConnectionSettings> settings,
      ProxyStats stats) throws InterruptedException {
    String name = config.name();
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(transport.workers())
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // pooled: frames travel as retained slices and re-encoded frames are copied into recycled buffers
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ConnectionSettings current = settings.get();
            ListenerConfig listener = current.config();
            connections.add(ch);
            ch.pipeline().addLast(new FlushConsolidationHandler(256, true));
            long idleMillis = listener.idleTimeout() == null ? 0 : listener.idleTimeout().toMillis();
            if (idleMillis > 0) {
              // reader idle only: a writer or all-idle timeout would add a promise and a listener to every write
              ch.pipeline().addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
            }
            ch.pipeline().addLast(new DownstreamConnection(
                name, snapshots, stats, current.codecFactory(), listener.maxFrameSize()));
          }
        });
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    Channel channel = bootstrap.bind(address).sync().channel();
    return new ListenerServer(name, (InetSocketAddress) channel.localAddress(), channel, connections);
  }

  public String name() {
    return name;
  }

  /** The bound address (with the real port when configured as 0). */
  public InetSocketAddress address() {
    return address;
  }

  /** Open client connections. */
  public int connectionCount() {
    return connections.size();
  }

  /** Stops accepting; open connections stay. */
  public void stopAccepting() {
    serverChannel.close().syncUninterruptibly();
  }

  /** Stops accepting and closes every open connection. */
  @Override
  public void close() {
    stopAccepting();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
