package io.metaproxy.host.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FrameRun against a real (embedded) channel: what reaches the wire is every frame, whole, in the order it was given,
 * whichever of the run's paths it took, and every buffer it took is released once the channel is done with it.
 */
class FrameRunTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final FrameRun run = new FrameRun(PooledByteBufAllocator.DEFAULT);
  /** What the test gave the run (or wrote past it), in order: what the wire must carry. */
  private final ByteArrayOutputStream expectedWire = new ByteArrayOutputStream();

  @AfterEach
  void releaseEverything() {
    run.release();
    channel.finishAndReleaseAll();
  }

  @Test
  void framesWrittenBetweenTwoFlushesGoToTheChannelAsOneMessage() {
    copyFrame("first:unchanged;");
    encodeFrame("second:re-encoded;");
    copyFrame("third:unchanged;");
    assertThat(run.hasFrames()).isTrue();
    assertThat((Object) channel.readOutbound()).as("nothing is handed over before the emit").isNull();

    run.emit(channel);
    channel.flush();

    assertThat(run.hasFrames()).isFalse();
    assertThat(channel.outboundMessages()).hasSize(1);
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void anUnchangedFrameTooBigToCopyIsLeftToTheCallerAfterTheRunSoFar() {
    copyFrame("small;");
    ByteBuf big = frame("B".repeat(FrameRun.MAX_COPY + 1));
    try {
      assertThat(run.copy(big, channel)).isFalse();
      // what the caller then does: its own write, which must come after the run
      channel.write(big.retainedDuplicate());
      expectedWire.writeBytes(ByteBufUtil.getBytes(big));
    } finally {
      big.release();
    }
    copyFrame("after;");
    run.emit(channel);
    channel.flush();

    assertThat(channel.outboundMessages()).hasSize(3);
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void aReEncodedFrameTooBigForARunGetsNoBufferAndTheRunSoFarGoesFirst() {
    encodeFrame("small;");
    assertThat(run.frameBuffer(FrameRun.MAX_FRAME + 1, channel)).isNull();
    channel.flush();

    assertThat(channel.outboundMessages()).as("the run was handed over").hasSize(1);
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void aLongRunIsHandedOverWithoutWaitingForTheFlush() {
    String frame = "x".repeat(1000) + ";";
    int frames = FrameRun.MAX_RUN / frame.length() + 1;
    for (int i = 0; i < frames; i++) {
      copyFrame(frame);
    }
    assertThat(run.hasFrames()).as("the run reached MAX_RUN and went").isFalse();
    channel.flush();
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void runsStillQueuedInTheChannelKeepTheirBytesWhenTheBufferIsReplaced() {
    // written, not flushed: the channel still holds slices of the first buffer when the run moves to the next ones
    StringBuilder frame = new StringBuilder();
    for (int i = 0; i < 3 * FrameRun.BUFFER_CAPACITY / 1500; i++) {
      frame.setLength(0);
      frame.append(i).append(':').append("y".repeat(1500 - 8)).append(';');
      encodeFrame(frame.toString());
      if (i % 7 == 0) {
        run.emit(channel);
      }
    }
    run.emit(channel);
    channel.flush();
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void aFailedEncodeLeavesNoBytesBehind() {
    encodeFrame("kept-1;");
    ByteBuf out = run.frameBuffer(64, channel);
    int start = out.writerIndex();
    out.writeCharSequence("half an encod", StandardCharsets.US_ASCII);
    run.discardFrame(start);
    encodeFrame("kept-2;");
    run.emit(channel);
    channel.flush();
    assertThat(drainWire()).isEqualTo(expected());
  }

  @Test
  void everyBufferIsReleasedOnceTheChannelHasWrittenAndTheRunIsReleased() {
    ByteBuf first = run.frameBuffer(100, channel);
    first.writeCharSequence("a;", StandardCharsets.US_ASCII);
    first.writeZero(first.writableBytes() - 10); // nearly full: the next frame needs a new buffer
    run.frameWritten(channel);
    run.emit(channel);
    ByteBuf second = run.frameBuffer(100, channel);
    assertThat(second).isNotSameAs(first);
    second.writeCharSequence("b;", StandardCharsets.US_ASCII);
    run.frameWritten(channel);
    assertThat(first.refCnt()).as("replaced, but the channel still holds its run").isEqualTo(1);

    run.emit(channel);
    channel.flush();
    drainWire();
    assertThat(first.refCnt()).as("the channel wrote its run").isZero();
    assertThat(second.refCnt()).as("the run still owns its current buffer").isEqualTo(1);

    run.release();
    assertThat(second.refCnt()).isZero();
    assertThat(run.hasFrames()).isFalse();
  }

  @Test
  void frameBytesBeyondWhatTheEncoderAnnouncedStillArriveWhole() {
    ByteBuf out = run.frameBuffer(16, channel);
    // fills the buffer to the brim and beyond: the buffer grows, and the run's slice reads the grown buffer
    String frame = "z".repeat(FrameRun.BUFFER_CAPACITY + 100) + ";";
    out.writeCharSequence(frame, StandardCharsets.US_ASCII);
    expectedWire.writeBytes(frame.getBytes(StandardCharsets.US_ASCII));
    run.frameWritten(channel);
    run.emit(channel);
    channel.flush();
    assertThat(drainWire()).isEqualTo(expected());
  }

  private void copyFrame(String text) {
    ByteBuf frame = frame(text);
    try {
      assertThat(run.copy(frame, channel)).isTrue();
      assertThat(frame.readableBytes()).as("copy leaves the frame as it was").isEqualTo(text.length());
    } finally {
      frame.release();
    }
    expectedWire.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** What the upstream connection does for a re-encoded frame: writes it at the run buffer's writer index. */
  private void encodeFrame(String text) {
    ByteBuf out = run.frameBuffer(text.length(), channel);
    assertThat(out).isNotNull();
    out.writeCharSequence(text, StandardCharsets.US_ASCII);
    run.frameWritten(channel);
    expectedWire.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static ByteBuf frame(String text) {
    ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(text.length() + 8);
    frame.writeCharSequence("junk", StandardCharsets.US_ASCII);
    frame.readerIndex(4); // a frame that does not start at its buffer's index 0, as decoded frames do not
    frame.writeCharSequence(text, StandardCharsets.US_ASCII);
    return frame;
  }

  /** Reads and releases every message the channel wrote, returning their bytes in order. */
  private String drainWire() {
    ByteBuf wire = Unpooled.buffer();
    for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
      ByteBuf buf = (ByteBuf) message;
      wire.writeBytes(buf);
      buf.release();
    }
    String text = wire.toString(StandardCharsets.US_ASCII);
    wire.release();
    return text;
  }

  private String expected() {
    return expectedWire.toString(StandardCharsets.US_ASCII);
  }
}
