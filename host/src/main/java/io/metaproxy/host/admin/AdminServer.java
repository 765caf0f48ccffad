package io.metaproxy.host.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admin HTTP server: answers {@code GET /ready}, {@code /stats/prometheus}, {@code /config_dump}, {@code
 * /clusters}, {@code /plugins} and {@code /} (the dashboard), and {@code POST /reload} and {@code /drain}, from an
 * {@link AdminBackend}. A wrong method is answered 405, an unknown path 404 with the list of endpoints, a POST from
 * another web origin 403, a backend exception 500 with its message.
 *
 * <p>It runs on an event loop of its own (one NIO thread) so that a busy proxy still answers {@code /ready} and
 * {@code /stats/prometheus}, and a slow admin client cannot delay traffic. {@code POST /reload} and {@code POST
 * /drain} run on one more thread, a worker that performs them one at a time: two reloads never race. Both threads
 * are daemons.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #close()}. Not restartable.
 */
public final class AdminServer implements AutoCloseable {
  /** Largest request accepted; admin requests carry no body, so this only stops abuse. Larger gets 413. */
  static final int MAX_REQUEST_BYTES = 16 * 1024;

  /** Admin connections idle this long are closed, so forgotten dashboards and scrapers do not pile up. */
  static final int IDLE_TIMEOUT_SECONDS = 120;

  private final String host;
  private final int port;
  private final AdminBackend backend;
  /** Set once a POST /drain completed; lets /ready tell "draining" from "not yet ready". */
  private final AtomicBoolean drained = new AtomicBoolean();

  private EventLoopGroup group;
  private ExecutorService worker;
  private Channel serverChannel;
  private boolean closed;

  /**
   * @param host the interface to bind, e.g. {@code 127.0.0.1} (the default config never exposes the admin API)
   * @param port the port, or 0 for any free one (see {@link #boundAddress()})
   */
  public AdminServer(String host, int port, AdminBackend backend) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin port out of range: " + port);
    }
    this.port = port;
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /**
   * Binds and starts serving; returns once the port is bound.
   *
   * @throws UncheckedIOException when the address cannot be bound (in use, not a local interface), naming it
   * @throws IllegalStateException when already started or closed
   */
  public synchronized void start() throws InterruptedException {
    if (serverChannel != null || closed) {
      throw new IllegalStateException(closed ? "admin server is closed" : "admin server already started");
    }
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("metaproxy-admin", true), NioIoHandler.newFactory());
    worker = Executors.newSingleThreadExecutor(new DefaultThreadFactory("metaproxy-admin-worker", true));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS))
                        .addLast("http", new HttpServerCodec())
                        .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast("admin", new AdminHandler(backend, worker, drained));
                  }
                });
    ChannelFuture bind = bootstrap.bind(host, port).await();
    if (!bind.isSuccess()) {
      shutDownThreads();
      Throwable cause = bind.cause();
      String message = "cannot bind the admin API to " + host + ":" + port + ": " + cause.getMessage();
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(message, io);
      }
      throw new IllegalStateException(message, cause);
    }
    serverChannel = bind.channel();
  }

  /** The address actually bound, with the chosen port when constructed with port 0. */
  public synchronized InetSocketAddress boundAddress() {
    if (serverChannel == null) {
      throw new IllegalStateException("admin server not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /**
   * Stops listening, closes the admin connections and stops both threads. A reload that is running finishes on
   * its worker thread (interrupting it halfway could leave a half-built snapshot); its answer is dropped.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    shutDownThreads();
  }

  private void shutDownThreads() {
    if (worker != null) {
      worker.shutdown();
    }
    if (group != null) {
      // No quiet period: the admin API has nothing in flight worth waiting for.
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
