package io.metaproxy.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link Codec} must keep with the host, as JUnit 5 tests a codec's own test inherits. See the
 * package documentation for how to use it.
 *
 * <p>The kit plays the host: it owns every buffer, attaches the decoded frame to the {@link Metadata} as the host does,
 * and after each test checks that the codec neither retained nor released any of them (their reference count is
 * still 1) before releasing them all, so Netty's paranoid leak detector stays quiet.
 */
public abstract class CodecContractTest {

  /** The layouts the kit hands frames to {@link Codec#decode} in: codecs must not assume one. */
  public enum BufferKind {
    /** An unpooled heap buffer holding only the frame. */
    HEAP,
    /** A pooled direct buffer holding only the frame. */
    DIRECT,
    /** A pooled buffer whose reader index is not 0: bytes before it were already consumed. */
    OFFSET,
    /** A composite buffer with the frame split across three components (as TCP delivers it). */
    COMPOSITE
  }

  private final List<ByteBuf> buffers = new ArrayList<>();
  private final List<Metadata> messages = new ArrayList<>();

  // ---- what a codec's test provides ----

  /** The factory under test; the kit calls {@link CodecFactory#create()} for every connection it plays. */
  protected abstract CodecFactory codecFactory();

  /** One whole two-way request frame carrying at least one key/value, produced by a real client where possible. */
  protected abstract byte[] sampleRequest();

  /** The request id {@link #sampleRequest()} carries. */
  protected abstract long sampleRequestId();

  /** One whole response frame answering {@link #sampleRequest()} (so with the same id). */
  protected abstract byte[] sampleResponse();

  /**
   * A frame whose length field declares more than the codec accepts (or a negative length), which decode must refuse
   * with a {@link CodecException} before waiting for the body. Null (the default) skips that test, for protocols
   * without a length field.
   */
  protected byte[] frameWithOversizedLength() {
    return null;
  }

  /**
   * A key of {@link #sampleRequest()} that a mutation can replace and remove on the wire, or null (the default) to
   * skip those checks. Keys the codec derives from fixed parts of the frame (such as a method name) do not qualify.
   */
  protected String mutableRequestKey() {
    return null;
  }

  /** Whether a mutation on a response reaches the wire (false for protocols whose responses carry no headers). */
  protected boolean responsesCarryMutations() {
    return true;
  }

  /** The key the mutation checks add; it must not occur in the sample frames. */
  protected String addedKey() {
    return "x-metaproxy-contract";
  }

  // ---- helpers a codec's own tests may use ----

  /** A pooled direct buffer holding {@code bytes}; the kit releases it after the test. */
  protected final ByteBuf buffer(byte[] bytes) {
    return track(PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes));
  }

  /** An empty pooled buffer for a codec to write to; the kit releases it after the test. */
  protected final ByteBuf outBuffer() {
    return track(PooledByteBufAllocator.DEFAULT.directBuffer(256));
  }

  /** {@code bytes} laid out as {@code kind}; the kit releases the buffer after the test. */
  protected final ByteBuf buffer(byte[] bytes, BufferKind kind) {
    switch (kind) {
      case HEAP:
        return track(Unpooled.buffer(bytes.length).writeBytes(bytes));
      case DIRECT:
        return buffer(bytes);
      case OFFSET: {
        ByteBuf buf = track(PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 7));
        buf.writeBytes(new byte[] {9, 9, 9, 9, 9, 9, 9}).writeBytes(bytes).skipBytes(7);
        return buf;
      }
      case COMPOSITE: {
        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        int first = Math.min(bytes.length, 3);
        int second = Math.min(bytes.length, Math.max(first, bytes.length / 2));
        composite.addComponent(true, Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, 0, first)));
        composite.addComponent(true, Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, first, second)));
        composite.addComponent(true, Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, second, bytes.length)));
        return track(composite);
      }
      default:
        throw new AssertionError(kind);
    }
  }

  /**
   * Decodes one whole frame from {@code in} as the host does, expecting {@link DecodeStatus#DONE}, and attaches the
   * consumed bytes as the Metadata's original frame. The kit releases the Metadata after the test.
   */
  protected final Metadata decodeFrame(Codec codec, ByteBuf in) throws CodecException {
    int start = in.readerIndex();
    Metadata metadata = track(new Metadata());
    DecodeStatus status = codec.decode(in, metadata);
    assertThat(status).as("decode of a whole frame").isEqualTo(DecodeStatus.DONE);
    assertThat(in.readerIndex()).as("reader index after DONE").isGreaterThan(start);
    metadata.attachFrame(in.retainedSlice(start, in.readerIndex() - start));
    return metadata;
  }

  /** Decodes {@code frame}, which must be exactly one whole frame, with a fresh codec. */
  protected final Metadata decodeWhole(byte[] frame) throws CodecException {
    ByteBuf in = buffer(frame);
    Metadata metadata = decodeFrame(codecFactory().create(), in);
    assertThat(in.readableBytes()).as("bytes left after decoding one whole frame").isZero();
    return metadata;
  }

  /** The key/values of {@code metadata} as a map. */
  protected static Map<String, String> keyValues(Metadata metadata) {
    Map<String, String> map = new LinkedHashMap<>();
    metadata.forEach(map::put);
    return map;
  }

  /** Asserts two Metadata describe the same message: type, id, operation and key/values (in any order). */
  protected static void assertSameMessage(Metadata actual, Metadata expected) {
    assertThat(actual.messageType()).as("message type").isEqualTo(expected.messageType());
    assertThat(actual.requestId()).as("request id").isEqualTo(expected.requestId());
    assertThat(actual.operation()).as("operation").isEqualTo(expected.operation());
    assertThat(keyValues(actual)).as("key/values").containsExactlyInAnyOrderEntriesOf(keyValues(expected));
  }

  /** Encodes {@code metadata} with {@code mutation} into a fresh buffer and returns the bytes. */
  protected final byte[] encode(Codec codec, Metadata metadata, Mutation mutation) {
    ByteBuf out = outBuffer();
    codec.encode(metadata, mutation, out);
    return ByteBufUtil.getBytes(out);
  }

  // ---- the contract ----

  @Test
  void factoryNamesTheProtocolAndMakesOneCodecPerConnection() {
    CodecFactory factory = codecFactory();
    assertThat(factory.name()).isNotBlank().isEqualTo(factory.name().toLowerCase(Locale.ROOT));
    Codec first = factory.create();
    Codec second = factory.create();
    assertThat(first).isNotNull();
    assertThat(second).as("a codec holds per-connection state: create() must not share one").isNotSameAs(first);
  }

  @Test
  void decodesTheSampleRequest() throws CodecException {
    byte[] frame = sampleRequest();
    Metadata request = decodeWhole(frame);
    assertThat(request.messageType().isRequest()).as("message type %s is a request", request.messageType()).isTrue();
    assertThat(request.requestId()).isEqualTo(sampleRequestId());
    assertThat(request.size()).as("key/values of the sample request").isPositive();
    assertThat(ByteBufUtil.getBytes(request.originalFrame())).as("original frame").isEqualTo(frame);
  }

  @Test
  void decodesTheSampleResponse() throws CodecException {
    byte[] frame = sampleResponse();
    Metadata response = decodeWhole(frame);
    assertThat(response.messageType()).isIn(MessageType.RESPONSE, MessageType.ERROR);
    assertThat(response.requestId()).isEqualTo(sampleRequestId());
    assertThat(ByteBufUtil.getBytes(response.originalFrame())).as("original frame").isEqualTo(frame);
  }

  @ParameterizedTest
  @EnumSource(BufferKind.class)
  void decodesTheSameWhateverTheBufferLayout(BufferKind kind) throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      Metadata expected = decodeWhole(frame);
      ByteBuf in = buffer(frame, kind);
      int before = in.readerIndex();
      Metadata actual = decodeFrame(codecFactory().create(), in);
      assertThat(in.readerIndex() - before).as("bytes consumed").isEqualTo(frame.length);
      assertSameMessage(actual, expected);
      assertThat(ByteBufUtil.getBytes(actual.originalFrame())).isEqualTo(frame);
    }
  }

  @Test
  void encodingWithAnEmptyMutationKeepsTheMessage() throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      Metadata original = decodeWhole(frame);
      byte[] encoded = encode(codecFactory().create(), original, new Mutation());
      assertSameMessage(decodeWhole(encoded), original);
    }
  }

  @Test
  void addedKeySurvivesReDecodingTheRequest() throws CodecException {
    Metadata original = decodeWhole(sampleRequest());
    assertThat(original.contains(addedKey())).as("the sample request must not carry " + addedKey()).isFalse();
    Mutation mutation = new Mutation();
    mutation.set(addedKey(), "added-value-\u00e9\u4e2d");
    Metadata mutated = decodeWhole(encode(codecFactory().create(), original, mutation));
    Map<String, String> expected = keyValues(original);
    expected.put(addedKey(), "added-value-\u00e9\u4e2d");
    assertThat(keyValues(mutated)).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(mutated.messageType()).isEqualTo(original.messageType());
    assertThat(mutated.requestId()).isEqualTo(original.requestId());
    assertThat(mutated.operation()).isEqualTo(original.operation());
  }

  @Test
  void replacedAndRemovedKeysSurviveReDecodingTheRequest() throws CodecException {
    String key = mutableRequestKey();
    assumeTrue(key != null, "no mutableRequestKey() given");
    Metadata original = decodeWhole(sampleRequest());
    assertThat(original.get(key)).as("mutableRequestKey() in the sample request").isNotNull();

    Mutation replace = new Mutation();
    replace.set(key, "replaced");
    Metadata replaced = decodeWhole(encode(codecFactory().create(), original, replace));
    Map<String, String> expected = keyValues(original);
    expected.put(key, "replaced");
    assertThat(keyValues(replaced)).containsExactlyInAnyOrderEntriesOf(expected);

    Mutation remove = new Mutation();
    remove.remove(key);
    Metadata removed = decodeWhole(encode(codecFactory().create(), original, remove));
    expected.remove(key);
    assertThat(keyValues(removed)).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void addedKeySurvivesReDecodingTheResponse() throws CodecException {
    assumeTrue(responsesCarryMutations(), "responses carry no mutations in this protocol");
    Metadata original = decodeWhole(sampleResponse());
    Mutation mutation = new Mutation();
    mutation.set(addedKey(), "on-the-way-back");
    Metadata mutated = decodeWhole(encode(codecFactory().create(), original, mutation));
    Map<String, String> expected = keyValues(original);
    expected.put(addedKey(), "on-the-way-back");
    assertThat(keyValues(mutated)).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(mutated.messageType()).isEqualTo(original.messageType());
    assertThat(mutated.requestId()).isEqualTo(original.requestId());
  }

  @Test
  void encodeWritesTheMetadataRequestId() throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      for (boolean mutate : new boolean[] {false, true}) {
        Metadata metadata = decodeWhole(frame);
        metadata.setRequestId(sampleRequestId() + 4242);
        Mutation mutation = new Mutation();
        if (mutate) {
          mutation.set(addedKey(), "x");
        }
        Metadata decoded = decodeWhole(encode(codecFactory().create(), metadata, mutation));
        assertThat(decoded.requestId()).as("id after encode (mutated: %s)", mutate).isEqualTo(sampleRequestId() + 4242);
      }
    }
  }

  @Test
  void encodeAppendsAtTheWriterIndexOfOut() throws CodecException {
    Metadata request = decodeWhole(sampleRequest());
    ByteBuf out = outBuffer().writeBytes(new byte[] {1, 2, 3});
    Mutation mutation = new Mutation();
    mutation.set(addedKey(), "x");
    codecFactory().create().encode(request, mutation, out);
    assertThat(out.getByte(0)).isEqualTo((byte) 1);
    assertThat(out.getByte(2)).isEqualTo((byte) 3);
    out.skipBytes(3);
    Metadata decoded = decodeFrame(codecFactory().create(), out);
    assertThat(decoded.get(addedKey())).isEqualTo("x");
    assertThat(out.readableBytes()).isZero();
  }

  @Test
  void partialFramesWaitUntilTheLastByte() throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      Codec codec = codecFactory().create();
      ByteBuf cumulation = track(PooledByteBufAllocator.DEFAULT.directBuffer(frame.length));
      for (int cut : cutPoints(frame.length)) {
        cumulation.writeBytes(frame, cumulation.writerIndex(), cut - cumulation.writerIndex());
        DecodeStatus status = codec.decode(cumulation, track(new Metadata()));
        assertThat(status).as("decode of the first %d of %d bytes", cut, frame.length)
            .isEqualTo(DecodeStatus.WAIT_FOR_DATA);
        // the host restores the reader index after WAIT_FOR_DATA (codecs may read ahead)
        cumulation.readerIndex(0);
      }
      assertThat(ByteBufUtil.getBytes(cumulation)).as("decode must not change the bytes it is given")
          .isEqualTo(Arrays.copyOf(frame, cumulation.writerIndex()));
      cumulation.writeBytes(frame, cumulation.writerIndex(), frame.length - cumulation.writerIndex());
      decodeFrame(codec, cumulation);
      assertThat(cumulation.readableBytes()).as("bytes left after the last byte arrived").isZero();
    }
  }

  /**
   * Every length short of a whole frame: all of them for frames up to 4 KiB, else the first and last KiB byte by byte
   * and about a thousand lengths evenly spread between.
   */
  private static int[] cutPoints(int frameLength) {
    if (frameLength <= 4096) {
      int[] all = new int[frameLength - 1];
      Arrays.setAll(all, i -> i + 1);
      return all;
    }
    List<Integer> cuts = new ArrayList<>();
    for (int i = 1; i <= 1024; i++) {
      cuts.add(i);
    }
    int step = Math.max(1, (frameLength - 2048) / 1000);
    for (int i = 1024 + step; i < frameLength - 1024; i += step) {
      cuts.add(i);
    }
    for (int i = frameLength - 1024; i < frameLength; i++) {
      cuts.add(i);
    }
    return cuts.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void framesBackToBackDecodeOneAtATime() throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      Metadata expected = decodeWhole(frame);
      byte[] two = Arrays.copyOf(frame, frame.length * 2);
      System.arraycopy(frame, 0, two, frame.length, frame.length);
      ByteBuf in = buffer(two);
      Codec codec = codecFactory().create();
      Metadata first = decodeFrame(codec, in);
      assertThat(in.readerIndex()).as("the first decode consumes exactly one frame").isEqualTo(frame.length);
      Metadata second = decodeFrame(codec, in);
      assertThat(in.readableBytes()).isZero();
      assertSameMessage(first, expected);
      assertSameMessage(second, expected);
      assertThat(codec.decode(in, track(new Metadata()))).as("decode of an empty buffer")
          .isEqualTo(DecodeStatus.WAIT_FOR_DATA);
    }
  }

  @Test
  void garbageIsRefusedWithCodecExceptionOrAwaited() {
    List<byte[]> inputs = new ArrayList<>();
    inputs.add("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    inputs.add(new byte[64]);
    byte[] ones = new byte[64];
    Arrays.fill(ones, (byte) 0xff);
    inputs.add(ones);
    Random random = new Random(20240611);
    for (int i = 0; i < 20; i++) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      inputs.add(noise);
    }
    byte[] flipped = sampleRequest().clone();
    flipped[0] = (byte) ~flipped[0];
    inputs.add(flipped);
    for (byte[] garbage : inputs) {
      ByteBuf in = buffer(garbage);
      Codec codec = codecFactory().create();
      try {
        DecodeStatus status = codec.decode(in, track(new Metadata()));
        assertThat(status).as("decode of garbage %s", ByteBufUtil.hexDump(garbage))
            .isEqualTo(DecodeStatus.WAIT_FOR_DATA);
      } catch (CodecException expected) {
        assertThat(expected.getMessage()).as("CodecException message").isNotBlank();
      } catch (RuntimeException e) {
        fail("decode of garbage " + ByteBufUtil.hexDump(garbage) + " threw " + e + " instead of CodecException", e);
      }
    }
  }

  @Test
  void oversizedLengthIsRefusedBeforeTheBodyArrives() {
    byte[] frame = frameWithOversizedLength();
    assumeTrue(frame != null, "no frameWithOversizedLength() given");
    ByteBuf in = buffer(frame);
    assertThatThrownBy(() -> codecFactory().create().decode(in, track(new Metadata())))
        .isInstanceOf(CodecException.class)
        .satisfies(e -> assertThat(e.getMessage()).as("a message saying what is wrong").isNotBlank());
  }

  @ParameterizedTest
  @EnumSource(ErrorType.class)
  void errorRepliesDecodeAsAResponseToTheRequest(ErrorType error) throws CodecException {
    Metadata request = decodeWhole(sampleRequest());
    ByteBuf out = outBuffer();
    codecFactory().create().onError(request, error, "contract check for " + error.scriptName(), out);
    Metadata reply = decodeFrame(codecFactory().create(), out);
    assertThat(out.readableBytes()).as("bytes after the error reply").isZero();
    assertThat(reply.requestId()).isEqualTo(sampleRequestId());
    assertThat(reply.messageType()).isIn(MessageType.RESPONSE, MessageType.ERROR);
  }

  @Test
  void errorReplyToAnUndecodableRequestStillDecodes() throws CodecException {
    Metadata bare = track(new Metadata());
    bare.setRequestId(7);
    ByteBuf out = outBuffer();
    assertThatCode(() -> codecFactory().create().onError(bare, ErrorType.BAD_REQUEST, "garbage", out))
        .doesNotThrowAnyException();
    Metadata reply = decodeFrame(codecFactory().create(), out);
    assertThat(reply.requestId()).isEqualTo(7);
  }

  @Test
  void rewriteRequestIdChangesOnlyTheId() throws CodecException {
    for (byte[] frame : List.of(sampleRequest(), sampleResponse())) {
      Metadata original = decodeWhole(frame);
      // the frame sits inside a larger buffer, as a slice the host holds: only its own bytes may change
      ByteBuf whole = buffer(frame, BufferKind.OFFSET);
      ByteBuf slice = whole.slice(whole.readerIndex(), frame.length);
      long newId = sampleRequestId() ^ 0x5a5a5a5aL;
      boolean patched = codecFactory().create().rewriteRequestId(slice, newId);
      assumeTrue(patched, "the codec does not patch ids in place");
      assertThat(slice.readerIndex()).isZero();
      assertThat(slice.readableBytes()).isEqualTo(frame.length);
      assertThat(whole.getByte(whole.readerIndex() - 1)).as("byte before the frame").isEqualTo((byte) 9);
      Metadata rewritten = decodeWhole(ByteBufUtil.getBytes(slice));
      assertThat(rewritten.requestId()).isEqualTo(newId);
      original.setRequestId(newId);
      assertSameMessage(rewritten, original);
    }
  }

  @Test
  void heartbeatsAreAnsweredOnceWithTheirId() throws CodecException {
    Codec codec = codecFactory().create();
    ByteBuf ping = outBuffer();
    assumeTrue(codec.writeHeartbeat(77, ping), "the protocol has no heartbeat");
    Metadata heartbeat = decodeFrame(codecFactory().create(), ping);
    assertThat(heartbeat.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(heartbeat.requestId()).isEqualTo(77);
    assertThat(ping.readableBytes()).isZero();

    ByteBuf pong = outBuffer();
    assertThat(codecFactory().create().replyToHeartbeat(heartbeat, pong)).as("reply to a heartbeat request").isTrue();
    Metadata reply = decodeFrame(codecFactory().create(), pong);
    assertThat(reply.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(reply.requestId()).isEqualTo(77);
    assertThat(pong.readableBytes()).isZero();

    ByteBuf none = outBuffer();
    assertThat(codecFactory().create().replyToHeartbeat(reply, none)).as("reply to a heartbeat reply").isFalse();
    assertThat(none.readableBytes()).isZero();
  }

  // ---- buffer bookkeeping ----

  /** Registers a buffer the kit owns; it is checked and released after the test. */
  protected final ByteBuf track(ByteBuf buf) {
    buffers.add(buf);
    return buf;
  }

  private Metadata track(Metadata metadata) {
    messages.add(metadata);
    return metadata;
  }

  @AfterEach
  void releaseEverything() {
    messages.forEach(Metadata::release);
    messages.clear();
    List<String> misused = new ArrayList<>();
    for (ByteBuf buf : buffers) {
      if (buf.refCnt() != 1) {
        misused.add(buf + " refCnt=" + buf.refCnt());
      }
      if (buf.refCnt() > 0) {
        buf.release(buf.refCnt());
      }
    }
    buffers.clear();
    assertThat(misused).as("buffers the codec retained or released although the host owns them").isEmpty();
  }
}
