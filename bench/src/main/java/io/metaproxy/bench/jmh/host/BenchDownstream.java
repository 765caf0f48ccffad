package io.metaproxy.bench.jmh.host;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.host.filter.Downstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The client connection of an exchange driven by a benchmark thread: its loop is an {@link EmbeddedChannel}'s, which
 * counts every thread as in the loop (so the exchange never hops), and {@link #write} notes the frame's header and
 * releases it, as a socket write would eventually. Not thread-safe; one per benchmark thread.
 */
public final class BenchDownstream implements Downstream, AutoCloseable {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final CodecFactory codecFactory;
  private final Codec codec;
  private long frames;
  private long bytes;
  private long exchangesDone;
  private int lastStatus = -1;
  private long lastRequestId = -1;

  /** @param codecFactory the listener's codec factory; the connection's codec is made from it, as the host does */
  public BenchDownstream(CodecFactory codecFactory) {
    this.codecFactory = codecFactory;
    this.codec = codecFactory.create();
  }

  @Override
  public EventLoop loop() {
    return channel.eventLoop();
  }

  @Override
  public Codec codec() {
    return codec;
  }

  @Override
  public CodecFactory codecFactory() {
    return codecFactory;
  }

  @Override
  public String peerAddress() {
    return "127.0.0.1:40000";
  }

  @Override
  public ByteBufAllocator alloc() {
    return PooledByteBufAllocator.DEFAULT;
  }

  /** Takes ownership of {@code frame}: reads the Dubbo header's status and id, then releases it. */
  @Override
  public void write(ByteBuf frame) {
    try {
      int start = frame.readerIndex();
      frames++;
      bytes += frame.readableBytes();
      if (frame.readableBytes() >= 12) {
        lastStatus = frame.getUnsignedByte(start + 3);
        lastRequestId = frame.getLong(start + 4);
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void exchangeDone() {
    exchangesDone++;
  }

  /** Frames written so far. */
  public long frames() {
    return frames;
  }

  /** Bytes written so far. */
  public long bytes() {
    return bytes;
  }

  /** Exchanges that reported they were done. */
  public long exchangesDone() {
    return exchangesDone;
  }

  /** The Dubbo status byte of the last frame written, or -1. */
  public int lastStatus() {
    return lastStatus;
  }

  /** The request id in the last frame written, or -1. */
  public long lastRequestId() {
    return lastRequestId;
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
