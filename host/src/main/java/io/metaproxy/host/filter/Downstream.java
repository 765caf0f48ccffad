package io.metaproxy.host.filter;

import io.metaproxy.api.Codec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;

/** The client connection as an exchange needs it. All methods are called on {@link #loop()}. */
public interface Downstream {

  /** The loop the connection (and every exchange on it) runs on. */
  EventLoop loop();

  /** The connection's codec: it encodes responses and error replies for the client. */
  Codec codec();

  /**
   * The factory that made {@link #codec()}; upstream connections for this client's requests are made by the same
   * one, so a request's Metadata is only ever handled by one plugin version's classes.
   */
  io.metaproxy.api.CodecFactory codecFactory();

  /** The client's address, {@code host:port}. */
  String peerAddress();

  ByteBufAllocator alloc();

  /** Writes a whole frame to the client; takes ownership of {@code frame} (released even if the client is gone). */
  void write(io.netty.buffer.ByteBuf frame);

  /** One exchange of this connection has finished. */
  void exchangeDone();
}
