package io.metaproxy.codec.thrift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.codec.thrift.LibThrift.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The codec against real libthrift 0.17 messages, in every transport and protocol: libthrift writes what the codec
 * decodes, and libthrift reads what the codec encodes, exactly as a Thrift client or server on the other end would.
 */
class ThriftCodecTest {

  private final ThriftCodec codec = new ThriftCodec(ThriftCodec.DEFAULT_MAX_MESSAGE_SIZE);
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final List<Metadata> metadatas = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    metadatas.forEach(Metadata::release);
    buffers.forEach(ByteBuf::release);
  }

  // ---- decode

  @ParameterizedTest
  @EnumSource(Wire.class)
  void decodesACallWithRichArgumentsAndConsumesExactlyIt(Wire wire) throws Exception {
    byte[] first = LibThrift.call(wire, "add", 7);
    byte[] second = LibThrift.call(wire, "subtract", 8);
    ByteBuf in = buffer(first, second);

    Metadata add = decode(in);
    assertThat(in.readerIndex()).isEqualTo(first.length);
    assertThat(add.messageType()).isEqualTo(MessageType.REQUEST);
    assertThat(add.requestId()).isEqualTo(7);
    assertThat(add.get("method")).isEqualTo("add");
    assertThat(add.keys()).containsExactly("method");
    assertThat(add.operation()).isEqualTo("add");
    assertThat(add.codecState()).isEqualTo(wire.format);
    assertThat(add.headerSize() + add.bodySize()).isEqualTo(first.length);
    assertThat(add.headerSize()).isEqualTo((wire.format.framed ? 4 : 0) + headerLength(wire, "add", 7));

    Metadata subtract = decode(in);
    assertThat(subtract.get("method")).isEqualTo("subtract");
    assertThat(subtract.requestId()).isEqualTo(8);
    assertThat(in.isReadable()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void waitsForEveryPrefixOfAMessage(Wire wire) throws Exception {
    byte[] message = LibThrift.call(wire, "add", 300);
    for (int length = 0; length < message.length; length++) {
      ByteBuf partial = buffer(Arrays.copyOf(message, length));
      assertThat(codec.decode(partial, new Metadata())).as("%d of %d bytes", length, message.length)
          .isEqualTo(DecodeStatus.WAIT_FOR_DATA);
      assertThat(partial.readerIndex()).isZero();
    }
    ByteBuf whole = buffer(message);
    assertThat(decode(whole).requestId()).isEqualTo(300);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void mapsTheFourMessageTypes(Wire wire) throws Exception {
    assertThat(decode(buffer(LibThrift.message(wire, null, "m", TMessageType.CALL, 1))).messageType())
        .isEqualTo(MessageType.REQUEST);
    assertThat(decode(buffer(LibThrift.message(wire, null, "m", TMessageType.ONEWAY, 2))).messageType())
        .isEqualTo(MessageType.ONEWAY);
    Metadata reply = decode(buffer(LibThrift.message(wire, null, "m", TMessageType.REPLY, 3)));
    assertThat(reply.messageType()).isEqualTo(MessageType.RESPONSE);
    assertThat(reply.get("method")).isEqualTo("m");
    Metadata exception = decode(buffer(LibThrift.message(wire, null, "m", TMessageType.EXCEPTION, 4)));
    assertThat(exception.messageType()).isEqualTo(MessageType.ERROR);
    assertThat(exception.requestId()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void splitsMultiplexedNamesIntoServiceAndMethod(Wire wire) throws Exception {
    Metadata call = decode(buffer(LibThrift.message(wire, "Calculator", "add", TMessageType.CALL, 5)));
    assertThat(call.get("service")).isEqualTo("Calculator");
    assertThat(call.get("method")).isEqualTo("add");
    assertThat(call.operation()).isEqualTo("Calculator/add");

    // TMultiplexedProcessor splits at the first ':', so the method keeps any later one
    Metadata colons = decode(buffer(LibThrift.message(wire, "A", "b:c", TMessageType.ONEWAY, 6)));
    assertThat(colons.get("service")).isEqualTo("A");
    assertThat(colons.get("method")).isEqualTo("b:c");
  }

  @Test
  void readsTheSeqIdAsUnsigned32Bits() throws Exception {
    Metadata negative = decode(buffer(LibThrift.call(Wire.UNFRAMED_COMPACT, "m", -2)));
    assertThat(negative.requestId()).isEqualTo(0xffff_fffeL);
  }

  @Test
  void reusesNamesAcrossMessagesOfAConnection() throws Exception {
    Metadata first = decode(buffer(LibThrift.message(Wire.FRAMED_BINARY, "S", "m", TMessageType.CALL, 1)));
    Metadata second = decode(buffer(LibThrift.message(Wire.FRAMED_BINARY, "S", "m", TMessageType.CALL, 2)));
    assertThat(second.get("method")).isSameAs(first.get("method"));
    assertThat(second.operation()).isSameAs(first.operation());
  }

  @ParameterizedTest
  @EnumSource(value = Wire.class, names = "UNFRAMED_.*", mode = EnumSource.Mode.MATCH_ANY)
  void skipsStructsNestedUpTo64LevelsAndRefusesDeeper(Wire wire) throws Exception {
    byte[] deep = LibThrift.write(wire, out -> {
      out.writeMessageBegin(new TMessage("deep", TMessageType.CALL, 1));
      LibThrift.writeNested(out, MessageReader.MAX_DEPTH);
      out.writeMessageEnd();
    });
    ByteBuf in = buffer(deep);
    assertThat(decode(in).get("method")).isEqualTo("deep");
    assertThat(in.isReadable()).isFalse();

    byte[] tooDeep = LibThrift.write(wire, out -> {
      out.writeMessageBegin(new TMessage("deep", TMessageType.CALL, 1));
      LibThrift.writeNested(out, MessageReader.MAX_DEPTH + 1);
      out.writeMessageEnd();
    });
    assertThatThrownBy(() -> new ThriftCodec(1 << 20).decode(buffer(tooDeep), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("nested deeper");
  }

  // ---- garbage and limits

  @Test
  void refusesBytesThatAreNotThrift() {
    assertRefused("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "not a Thrift message");
    assertRefused(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}, "not a Thrift message"); // a TLS ClientHello
    assertRefused(new byte[] {(byte) 0xff, 0, 0, 0, 0}, "not a Thrift message");
    assertRefused(new byte[] {(byte) 0x80, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, "version");
    assertRefused(new byte[] {(byte) 0x80, 0x01, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 0}, "message type 7");
    assertRefused(new byte[] {(byte) 0x82, 0x22, 0x01, 0x00, 0x00}, "compact protocol version 2");
    assertRefused(new byte[] {0, 0, 0, 3, (byte) 0x80, 0x01, 0x00}, "runs past its frame");
    // unframed strict binary, name "m", seqid 1, then a field of type 99
    assertRefused(new byte[] {(byte) 0x80, 0x01, 0x00, 0x01, 0, 0, 0, 1, 'm', 0, 0, 0, 1, 99, 0, 1}, "type 99");
  }

  @Test
  void refusesMessagesOverTheSizeLimit() throws Exception {
    ThriftCodec small = new ThriftCodec(1024);
    byte[] bigFrame = LibThrift.write(Wire.FRAMED_BINARY, out -> {
      out.writeMessageBegin(new TMessage("big", TMessageType.CALL, 1));
      out.writeStructBegin(null);
      out.writeFieldBegin(new TField("s", TType.STRING, (short) 1));
      out.writeString("x".repeat(2000));
      out.writeFieldStop();
      out.writeStructEnd();
    });
    // refused from the first 4 bytes: nothing of the body needs to arrive
    assertThatThrownBy(() -> small.decode(buffer(Arrays.copyOf(bigFrame, 4)), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("1024-byte limit");

    byte[] bigStream = LibThrift.write(Wire.UNFRAMED_COMPACT, out -> {
      out.writeMessageBegin(new TMessage("big", TMessageType.CALL, 1));
      out.writeStructBegin(null);
      out.writeFieldBegin(new TField("s", TType.STRING, (short) 1));
      out.writeString("x".repeat(2000));
      out.writeFieldStop();
      out.writeStructEnd();
    });
    // refused as soon as the string's length announces it: the 2000 bytes need not arrive
    assertThatThrownBy(() -> new ThriftCodec(1024).decode(buffer(Arrays.copyOf(bigStream, 20)),
        new Metadata())).isInstanceOf(CodecException.class).hasMessageContaining("1024-byte message size limit");
  }

  @Test
  void refusesAConnectionThatSwitchesFormat() throws Exception {
    decode(buffer(LibThrift.call(Wire.FRAMED_BINARY, "m", 1)));
    assertThatThrownBy(() -> codec.decode(buffer(LibThrift.call(Wire.FRAMED_COMPACT, "m", 2)), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("switched from framed binary to framed compact");
  }

  // ---- encode

  @ParameterizedTest
  @EnumSource(Wire.class)
  void encodesANewRequestIdAndCopiesTheBodyUnchanged(Wire wire) throws Exception {
    byte[] original = LibThrift.message(wire, "Calculator", "add", TMessageType.CALL, 5);
    Metadata call = decode(buffer(original));
    call.setRequestId(0xffff_fff0L); // a seqid of -16: 5 varint bytes in compact where 5 took 1

    byte[] encoded = encode(call, new Mutation());

    LibThrift.Reader reader = LibThrift.reader(wire, encoded);
    TMessage message = reader.readMessageSkippingBody();
    assertThat(message.name).isEqualTo("Calculator:add");
    assertThat(message.type).isEqualTo(TMessageType.CALL);
    assertThat(message.seqid).isEqualTo(-16);
    assertThat(reader.atEnd()).isTrue();
    assertThat(tail(encoded, call.bodySize())).isEqualTo(tail(original, call.bodySize()));

    Metadata again = track();
    assertThat(new ThriftCodec(ThriftCodec.DEFAULT_MAX_MESSAGE_SIZE).decode(buffer(encoded), again))
        .isEqualTo(DecodeStatus.DONE);
    assertThat(again.requestId()).isEqualTo(0xffff_fff0L);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void serviceAndMethodMutationsRenameTheMessage(Wire wire) throws Exception {
    Metadata multiplexed = decode(buffer(LibThrift.message(wire, "Calculator", "add", TMessageType.CALL, 9)));
    assertThat(encodedName(wire, multiplexed, mutation("service", "CalculatorV2"))).isEqualTo("CalculatorV2:add");
    assertThat(encodedName(wire, multiplexed, mutation("method", "sum"))).isEqualTo("Calculator:sum");
    Mutation both = mutation("service", "Math");
    both.set("method", "plus");
    assertThat(encodedName(wire, multiplexed, both)).isEqualTo("Math:plus");
    Mutation removal = new Mutation();
    removal.remove("service");
    assertThat(encodedName(wire, multiplexed, removal)).isEqualTo("add");
    assertThat(encodedName(wire, multiplexed, mutation("service", ""))).isEqualTo("add");

    Metadata plain = decode(buffer(LibThrift.message(wire, null, "add", TMessageType.ONEWAY, 10)));
    assertThat(encodedName(wire, plain, mutation("service", "Calculator"))).isEqualTo("Calculator:add");
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void mutationsTheWireCannotCarryLeaveTheMessageAsItWas(Wire wire) throws Exception {
    byte[] original = LibThrift.message(wire, "Calculator", "add", TMessageType.CALL, 9);
    Metadata call = decode(buffer(original));
    Mutation unsupported = mutation("x-routed-by", "metaproxy");
    unsupported.set("service", "Bad:Name"); // would change where TMultiplexedProcessor splits
    unsupported.remove("method"); // a message cannot lose its name
    assertThat(encode(call, unsupported)).isEqualTo(original);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void encodesReplyAndExceptionMessagesInKind(Wire wire) throws Exception {
    Metadata exception = decode(buffer(LibThrift.message(wire, null, "add", TMessageType.EXCEPTION, 3)));
    exception.setRequestId(77);
    LibThrift.Reader reader = LibThrift.reader(wire, encode(exception, new Mutation()));
    TMessage message = reader.protocol.readMessageBegin();
    assertThat(message.type).isEqualTo(TMessageType.EXCEPTION);
    assertThat(message.seqid).isEqualTo(77);
    TApplicationException read = TApplicationException.readFrom(reader.protocol);
    assertThat(read.getMessage()).isEqualTo("server says no");
    assertThat(read.getType()).isEqualTo(TApplicationException.INTERNAL_ERROR);
  }

  // ---- rewriteRequestId

  @ParameterizedTest
  @EnumSource(value = Wire.class, names = ".*BINARY", mode = EnumSource.Mode.MATCH_ANY)
  void patchesBinarySeqIdsInPlace(Wire wire) throws Exception {
    byte[] original = LibThrift.call(wire, "add", 1);
    ByteBuf frame = buffer(original);
    assertThat(codec.rewriteRequestId(frame, 0x8000_0001L)).isTrue();
    assertThat(frame.readableBytes()).isEqualTo(original.length);
    LibThrift.Reader reader = LibThrift.reader(wire, ByteBufUtil.getBytes(frame));
    assertThat(reader.readMessageSkippingBody().seqid).isEqualTo(0x8000_0001);
    assertThat(reader.atEnd()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = Wire.class, names = ".*COMPACT", mode = EnumSource.Mode.MATCH_ANY)
  void patchesCompactSeqIdsOnlyWhenTheVarintKeepsItsLength(Wire wire) throws Exception {
    byte[] original = LibThrift.call(wire, "add", 200); // a 2-byte varint
    ByteBuf frame = buffer(original);
    assertThat(codec.rewriteRequestId(frame, 16000)).isTrue(); // 2 bytes too
    LibThrift.Reader reader = LibThrift.reader(wire, ByteBufUtil.getBytes(frame));
    assertThat(reader.readMessageSkippingBody().seqid).isEqualTo(16000);
    assertThat(reader.atEnd()).isTrue();

    byte[] patched = ByteBufUtil.getBytes(frame);
    assertThat(codec.rewriteRequestId(frame, 5)).isFalse(); // 1 byte
    assertThat(codec.rewriteRequestId(frame, 17000)).isFalse(); // 3 bytes
    assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(patched);
  }

  @Test
  void patchesWithinAFrameThatIsASliceOfALargerBuffer() throws Exception {
    byte[] first = LibThrift.call(Wire.FRAMED_BINARY, "a", 1);
    byte[] second = LibThrift.call(Wire.FRAMED_BINARY, "b", 2);
    ByteBuf both = buffer(first, second);
    ByteBuf frame = both.slice(first.length, second.length);
    assertThat(codec.rewriteRequestId(frame, 99)).isTrue();
    assertThat(ByteBufUtil.getBytes(both, 0, first.length)).isEqualTo(first);
    assertThat(LibThrift.reader(Wire.FRAMED_BINARY, ByteBufUtil.getBytes(frame)).readMessageSkippingBody().seqid)
        .isEqualTo(99);
  }

  @Test
  void refusesToPatchWhatIsNotThrift() {
    assertThat(codec.rewriteRequestId(buffer("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII)), 1)).isFalse();
    assertThat(codec.rewriteRequestId(buffer(new byte[] {(byte) 0x80, 0x01}), 1)).isFalse();
  }

  // ---- onError

  @ParameterizedTest
  @EnumSource(Wire.class)
  void answersErrorsWithATApplicationExceptionTheClientCanRead(Wire wire) throws Exception {
    Metadata call = decode(buffer(LibThrift.message(wire, "Calculator", "add", TMessageType.CALL, 41)));
    ByteBuf out = track(Unpooled.buffer());
    codec.onError(call, ErrorType.ROUTE_NOT_FOUND, "no route for Calculator/add", out);

    LibThrift.Reader reader = LibThrift.reader(wire, ByteBufUtil.getBytes(out));
    TMessage message = reader.protocol.readMessageBegin();
    assertThat(message.type).isEqualTo(TMessageType.EXCEPTION);
    assertThat(message.seqid).isEqualTo(41);
    assertThat(message.name).isEqualTo("add"); // as TMultiplexedProcessor answers: the method alone
    TApplicationException exception = TApplicationException.readFrom(reader.protocol);
    reader.protocol.readMessageEnd();
    assertThat(exception.getType()).isEqualTo(TApplicationException.UNKNOWN_METHOD);
    assertThat(exception.getMessage()).isEqualTo("metaproxy: route_not_found: no route for Calculator/add");
    assertThat(reader.atEnd()).isTrue();
  }

  @Test
  void mapsEveryErrorTypeToATApplicationExceptionType() throws Exception {
    Metadata call = decode(buffer(LibThrift.call(Wire.FRAMED_COMPACT, "add", 1)));
    for (ErrorType error : ErrorType.values()) {
      ByteBuf out = track(Unpooled.buffer());
      codec.onError(call, error, "why", out);
      LibThrift.Reader reader = LibThrift.reader(Wire.FRAMED_COMPACT, ByteBufUtil.getBytes(out));
      reader.protocol.readMessageBegin();
      TApplicationException exception = TApplicationException.readFrom(reader.protocol);
      int expected = switch (error) {
        case ROUTE_NOT_FOUND -> TApplicationException.UNKNOWN_METHOD;
        case BAD_REQUEST -> TApplicationException.PROTOCOL_ERROR;
        case UNSPECIFIED -> TApplicationException.UNKNOWN;
        default -> TApplicationException.INTERNAL_ERROR;
      };
      assertThat(exception.getType()).as(error.name()).isEqualTo(expected);
      assertThat(exception.getMessage()).isEqualTo("metaproxy: " + error.scriptName() + ": why");
    }
  }

  @Test
  void writesNoErrorReplyToAOnewayRequest() throws Exception {
    Metadata oneway = decode(buffer(LibThrift.message(Wire.UNFRAMED_BINARY, null, "log", TMessageType.ONEWAY, 1)));
    ByteBuf out = track(Unpooled.buffer());
    codec.onError(oneway, ErrorType.TIMEOUT, "late", out);
    assertThat(out.isReadable()).isFalse();
  }

  @Test
  void answersAnUndecodedRequestInTheConnectionsFormatOrLibthriftsDefault() throws Exception {
    ByteBuf fresh = track(Unpooled.buffer());
    new ThriftCodec(1024).onError(new Metadata(), ErrorType.BAD_REQUEST, "garbage", fresh);
    LibThrift.Reader plain = LibThrift.reader(Wire.UNFRAMED_BINARY, ByteBufUtil.getBytes(fresh));
    assertThat(plain.protocol.readMessageBegin().type).isEqualTo(TMessageType.EXCEPTION);
    assertThat(TApplicationException.readFrom(plain.protocol).getType())
        .isEqualTo(TApplicationException.PROTOCOL_ERROR);

    decode(buffer(LibThrift.call(Wire.FRAMED_COMPACT, "m", 1)));
    ByteBuf framed = track(Unpooled.buffer());
    codec.onError(new Metadata(), ErrorType.BAD_REQUEST, "garbage", framed);
    LibThrift.Reader compact = LibThrift.reader(Wire.FRAMED_COMPACT, ByteBufUtil.getBytes(framed));
    assertThat(compact.protocol.readMessageBegin().type).isEqualTo(TMessageType.EXCEPTION);
    TProtocolUtil.skip(compact.protocol, TType.STRUCT);
    assertThat(compact.atEnd()).isTrue();
  }

  // ---- helpers

  private void assertRefused(byte[] bytes, String reason) {
    assertThatThrownBy(() -> new ThriftCodec(ThriftCodec.DEFAULT_MAX_MESSAGE_SIZE).decode(buffer(bytes),
        new Metadata())).isInstanceOf(CodecException.class).hasMessageContaining(reason);
  }

  /** Decodes one message the way the host does: on DONE it attaches the consumed bytes as the original frame. */
  private Metadata decode(ByteBuf in) throws CodecException {
    Metadata metadata = track();
    int start = in.readerIndex();
    assertThat(codec.decode(in, metadata)).isEqualTo(DecodeStatus.DONE);
    metadata.attachFrame(in.retainedSlice(start, in.readerIndex() - start));
    return metadata;
  }

  private byte[] encode(Metadata metadata, Mutation mutation) {
    ByteBuf out = track(Unpooled.buffer());
    codec.encode(metadata, mutation, out);
    return ByteBufUtil.getBytes(out);
  }

  private String encodedName(Wire wire, Metadata metadata, Mutation mutation) throws TException {
    LibThrift.Reader reader = LibThrift.reader(wire, encode(metadata, mutation));
    TMessage message = reader.readMessageSkippingBody();
    assertThat(message.seqid).isEqualTo((int) metadata.requestId());
    assertThat(reader.atEnd()).isTrue();
    return message.name;
  }

  private static Mutation mutation(String key, String value) {
    Mutation mutation = new Mutation();
    mutation.set(key, value);
    return mutation;
  }

  /** The bytes libthrift writes for a message header. */
  private static int headerLength(Wire wire, String name, int seqId) {
    return switch (wire.format.protocol) {
      case BINARY -> 4 + 4 + name.length() + 4;
      case OLD_BINARY -> 4 + name.length() + 1 + 4;
      case COMPACT -> 2 + ThriftProtocol.varint32Size(seqId) + 1 + name.length();
    };
  }

  private static byte[] tail(byte[] bytes, int length) {
    return Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
  }

  private ByteBuf buffer(byte[]... parts) {
    ByteBuf buffer = track(Unpooled.buffer());
    for (byte[] part : parts) {
      buffer.writeBytes(part);
    }
    return buffer;
  }

  private ByteBuf track(ByteBuf buffer) {
    buffers.add(buffer);
    return buffer;
  }

  private Metadata track() {
    Metadata metadata = new Metadata();
    metadatas.add(metadata);
    return metadata;
  }
}
