package io.metaproxy.bench.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Picks Netty's native epoll transport where it loads, else NIO, and builds event loop groups for it. */
public final class Transport {
  private static final boolean EPOLL = Epoll.isAvailable() && !Boolean.getBoolean("bench.nio");

  private Transport() {}

  /** Whether the native epoll transport is used. */
  public static boolean epoll() {
    return EPOLL;
  }

  /** "epoll" or "nio", for reports. */
  public static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /** An event loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup group(int threads, String name) {
    IoHandlerFactory handlers = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), handlers);
  }

  public static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** Event loop threads to use by default: one per CPU this process may run on (taskset is respected). */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }
}
