package io.metaproxy.host.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The worker event loops of one proxy, one per core by default, with epoll when the platform has it. */
public final class Transport implements AutoCloseable {
  private final boolean epoll;
  private final EventLoopGroup workers;
  private final List<EventLoop> loops;

  /**
   * @param threads how many event loops; 0 means one per available processor
   * @param preferNative use epoll when available (set false to force NIO)
   */
  public Transport(int threads, boolean preferNative) {
    this.epoll = preferNative && Epoll.isAvailable();
    int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.workers = new MultiThreadIoEventLoopGroup(count, new DefaultThreadFactory("metaproxy-loop", true), handlers);
    List<EventLoop> list = new ArrayList<>();
    for (EventExecutor executor : workers) {
      list.add((EventLoop) executor);
    }
    this.loops = List.copyOf(list);
    CountDownLatch indexed = new CountDownLatch(loops.size());
    for (int i = 0; i < loops.size(); i++) {
      int index = i;
      loops.get(i).execute(() -> {
        LoopIndex.bind(index);
        indexed.countDown();
      });
    }
    try {
      indexed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting event loops", e);
    }
  }

  public boolean isEpoll() {
    return epoll;
  }

  public EventLoopGroup workers() {
    return workers;
  }

  /** The loops in index order. */
  public List<EventLoop> loops() {
    return loops;
  }

  public int loopCount() {
    return loops.size();
  }

  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends Channel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  @Override
  public void close() {
    workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
