package io.metaproxy.host.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

/**
 * Frames bound for one upstream connection, laid end to end in a buffer of the connection's own and handed to the
 * channel as one slice per run: all the frames written between two flushes cost one outbound-buffer entry, instead
 * of an entry each (and, for a re-encoded frame, a pooled buffer of its own and its release).
 *
 * <p>Why: under load, a frame's entry in the channel's outbound buffer (added, counted against the high-water mark,
 * gathered into the writev, removed, released, recycled) cost more than copying a 1 KiB frame, and a re-encoded frame
 * (a filter set a key) paid for its own buffer on top, about as much as the encoding itself
 * (bench/reports/2026-12-04-frame-run.txt). So unchanged frames up to {@link #MAX_COPY} bytes are copied in, and
 * re-encoded frames up to {@link #MAX_FRAME} bytes are encoded straight into the run. The buffer ({@link
 * #BUFFER_CAPACITY}, a size the allocator's thread cache keeps) is replaced, never reused, once the next frame might
 * not fit, so runs still queued in the channel keep their bytes.
 *
 * <p>Buffer ownership: this run holds one reference to its current buffer, released when the buffer is replaced and
 * by {@link #release}; every run handed to the channel is a retained slice, which the channel releases after the
 * write. Frames are encoded straight into the buffer, at its writer index ({@link #frameBuffer}); one that writes more
 * than it said it would grows the buffer, which stays correct (slices read through their parent) and only costs a copy.
 *
 * <p>Not thread-safe: one connection, one event loop.
 */
final class FrameRun {
  /** The size of each buffer frames are laid into: the largest the pooled allocator's thread cache keeps (32 KiB). */
  static final int BUFFER_CAPACITY = 32 * 1024;
  /** A re-encoded frame expected above this gets a buffer of its own: it would leave much of a run's buffer unused. */
  static final int MAX_FRAME = 4 * 1024;
  /**
   * An unchanged frame above this is written as a duplicate of itself (no copy): the copy grows with the frame, the
   * entry it saves does not.
   */
  static final int MAX_COPY = 2 * 1024;
  /** A run this long is handed to the channel at once rather than at the flush, so a burst drains as it comes. */
  static final int MAX_RUN = 16 * 1024;

  private final ByteBufAllocator allocator;
  private ByteBuf buffer;
  /** Where the run not yet handed to the channel starts in {@link #buffer}. */
  private int runStart;

  FrameRun(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  /**
   * The buffer to write a frame of at most about {@code expectedBytes} into, at its writer index; or null when the
   * frame is too big for a run (the run so far has then been handed to {@code channel}, so the caller's own write of
   * the frame keeps the order).
   */
  ByteBuf frameBuffer(int expectedBytes, Channel channel) {
    if (expectedBytes > MAX_FRAME) {
      emit(channel);
      return null;
    }
    if (buffer == null || buffer.writableBytes() < expectedBytes) {
      emit(channel);
      if (buffer != null) {
        buffer.release();
      }
      buffer = allocator.directBuffer(BUFFER_CAPACITY);
      runStart = 0;
    }
    return buffer;
  }

  /**
   * Copies {@code frame}'s readable bytes into the run and returns true; or, for a frame above {@link #MAX_COPY},
   * hands the run so far to {@code channel} and returns false, for the caller to write the frame itself.
   */
  boolean copy(ByteBuf frame, Channel channel) {
    int length = frame.readableBytes();
    if (length > MAX_COPY) {
      emit(channel);
      return false;
    }
    frameBuffer(length, channel).writeBytes(frame, frame.readerIndex(), length);
    frameWritten(channel);
    return true;
  }

  /** The frame just written into {@link #frameBuffer}'s buffer is complete: hands the run over once it is long. */
  void frameWritten(Channel channel) {
    if (buffer.writerIndex() - runStart >= MAX_RUN) {
      emit(channel);
    }
  }

  /** Drops what a failed encode wrote since {@code frameStart}. */
  void discardFrame(int frameStart) {
    buffer.writerIndex(frameStart);
  }

  /** Hands the run so far to {@code channel} (written, not flushed); nothing when it is empty. */
  void emit(Channel channel) {
    if (buffer != null && buffer.writerIndex() > runStart) {
      int end = buffer.writerIndex();
      channel.write(buffer.retainedSlice(runStart, end - runStart), channel.voidPromise());
      runStart = end;
    }
  }

  /** Whether frames are waiting to be handed to the channel. */
  boolean hasFrames() {
    return buffer != null && buffer.writerIndex() > runStart;
  }

  /** Releases the buffer; frames not handed to the channel yet are dropped (the connection is gone). */
  void release() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
      runStart = 0;
    }
  }
}
