package io.metaproxy.codec.bolt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alipay.remoting.ResponseStatus;
import com.alipay.remoting.rpc.HeartbeatAckCommand;
import com.alipay.remoting.rpc.HeartbeatCommand;
import com.alipay.remoting.rpc.RpcCommand;
import com.alipay.remoting.rpc.RpcResponseResolver;
import com.alipay.remoting.rpc.exception.InvokeServerException;
import com.alipay.remoting.rpc.exception.RpcServerException;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.codec.bolt.SofaStyle.GreetReply;
import io.metaproxy.codec.bolt.SofaStyle.GreetRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bolt specifics, against Bolt's own encoders and decoders and without a network (see {@link BoltFrames}): what the
 * codec writes is decoded by Bolt, which checks v2 CRCs, and error replies are resolved by the client's {@link
 * RpcResponseResolver}. The host contract is checked by {@link BoltContractTest}; real peers by {@link
 * BoltRelayTest}.
 */
class BoltCodecTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
  private static final String SERVICE = BoltFrames.SERVICE;

  private final Codec codec = new BoltCodecFactory().create();
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final List<Metadata> decoded = new ArrayList<>();

  @AfterEach
  void release() {
    decoded.forEach(Metadata::release);
    buffers.forEach(ByteBuf::release);
  }

  @ParameterizedTest(name = "v{0}")
  @ValueSource(ints = {1, 2})
  void exposesTheHeaderMapTheClassAndTheCallsName(int version) throws Exception {
    ByteBuf frame = boltRequest(version, 7, SofaStyle.request("alice", Map.of("x-user", "alice")));
    RpcRequestCommand original = (RpcRequestCommand) boltDecode(frame.duplicate(), version);

    Metadata request = decode(frame);

    assertThat(request.messageType()).isEqualTo(MessageType.REQUEST);
    assertThat(request.requestId()).isEqualTo(7);
    assertThat(request.operation()).isEqualTo(SERVICE + "/sayHello");
    assertThat(request.keys()).containsExactlyInAnyOrder("service", "sofa_head_target_service",
        "sofa_head_method_name", "x-user", "class", "method");
    assertThat(request.get("service")).isEqualTo(SERVICE);
    assertThat(request.get("method")).isEqualTo("sayHello");
    assertThat(request.get("class")).isEqualTo(GreetRequest.class.getName());
    assertThat(request.get("x-user")).isEqualTo("alice");
    assertThat(request.bodySize()).isEqualTo(original.getContentLength());
    assertThat(request.headerSize() + request.bodySize() + (version == 2 ? 4 : 0)).isEqualTo(frame.readableBytes());
  }

  @Test
  void fallsBackToTheClassNameWhenTheHeaderNamesNoCall() throws Exception {
    ByteBuf frame = boltRequest(1, 8, SofaStyle.request("x", Map.of()));
    patchHeader(frame, new byte[0]);

    Metadata request = decode(frame);

    assertThat(request.keys()).containsExactly("class");
    assertThat(request.operation()).isEqualTo(GreetRequest.class.getName());
  }

  @ParameterizedTest(name = "v{0}")
  @ValueSource(ints = {1, 2})
  void encodeRewritesOnlyTheHeaderMapAndTheId(int version) throws Exception {
    ByteBuf frame = boltRequest(version, 7, SofaStyle.request("alice", Map.of("x-user", "alice", "x-secret", "s")));
    RpcRequestCommand original = (RpcRequestCommand) boltDecode(frame.duplicate(), version);
    Metadata request = decode(frame);
    Mutation mutation = new Mutation();
    mutation.set("x-user", "bob");
    mutation.set("x-routed-by", "metaproxy");
    mutation.remove("x-secret");
    mutation.remove("not-there");
    request.setRequestId(0xFFFF_FFF0L);

    ByteBuf out = buffer();
    codec.encode(request, mutation, out);

    RpcRequestCommand rewritten = (RpcRequestCommand) boltDecode(out.duplicate(), version); // v2: checks the CRC
    assertThat(rewritten.getId()).isEqualTo((int) 0xFFFF_FFF0L);
    assertThat(rewritten.getTimeout()).isEqualTo(3000);
    assertThat(rewritten.getClazz()).isEqualTo(original.getClazz());
    assertThat(rewritten.getContent()).isEqualTo(original.getContent());
    assertThat(SofaStyle.decode(rewritten.getHeader()))
        .containsEntry("service", SERVICE)
        .containsEntry("sofa_head_method_name", "sayHello")
        .containsEntry("x-user", "bob")
        .containsEntry("x-routed-by", "metaproxy")
        .doesNotContainKeys("x-secret", "not-there", "class", "method");
    Metadata again = decode(out);
    assertThat(again.requestId()).as("ids read back unsigned").isEqualTo(0xFFFF_FFF0L);
  }

  @ParameterizedTest(name = "v{0}")
  @ValueSource(ints = {1, 2})
  void rewritesTheRequestIdInPlace(int version) throws Exception {
    ByteBuf frame = boltRequest(version, 7, SofaStyle.request("alice", Map.of()));
    int length = frame.readableBytes();

    assertThat(codec.rewriteRequestId(frame, 1_000_007)).isTrue();

    assertThat(frame.readableBytes()).isEqualTo(length);
    RpcCommand rewritten = boltDecode(frame.duplicate(), version); // v2: the CRC was recomputed
    assertThat(rewritten.getId()).isEqualTo(1_000_007);
    assertThat(decode(frame).requestId()).isEqualTo(1_000_007);
  }

  @Test
  void opaqueHeadersExposeNoKeysAndTravelUnchanged() throws Exception {
    ByteBuf frame = boltRequest(1, 9, SofaStyle.request("alice", Map.of()));
    byte[] opaque = {0, 0, 0, 9, 'x'}; // claims a 9-byte key but holds one
    patchHeader(frame, opaque);
    Metadata request = decode(frame);
    assertThat(request.keys()).containsExactly("class");

    Mutation mutation = new Mutation();
    mutation.set("x-routed-by", "metaproxy");
    ByteBuf out = buffer();
    codec.encode(request, mutation, out);

    assertThat(boltDecode(out, 1).getHeader()).isEqualTo(opaque);
  }

  @Test
  void refusesAHeaderMapTooLargeForBoltsHeaderLength() throws Exception {
    Metadata request = decode(boltRequest(1, 9, SofaStyle.request("alice", Map.of())));
    Mutation mutation = new Mutation();
    mutation.set("x-big", "v".repeat(40_000));
    ByteBuf out = buffer().writeByte(42);

    assertThatThrownBy(() -> codec.encode(request, mutation, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
    assertThat(out.writerIndex()).as("nothing half-written").isEqualTo(1);
  }

  @Test
  void responsesCarryTheirStatusAndAreErrorsUnlessSuccessful() throws Exception {
    Metadata ok = decode(boltResponse(1, 5, ResponseStatus.SUCCESS));
    assertThat(ok.messageType()).isEqualTo(MessageType.RESPONSE);
    assertThat(ok.requestId()).isEqualTo(5);
    assertThat(ok.get("status")).isEqualTo("SUCCESS");
    assertThat(ok.get("class")).isEqualTo(GreetReply.class.getName());
    assertThat(ok.get("served-by")).isEqualTo("bolt-server");

    Metadata busy = decode(boltResponse(2, 6, ResponseStatus.SERVER_THREADPOOL_BUSY));
    assertThat(busy.messageType()).isEqualTo(MessageType.ERROR);
    assertThat(busy.get("status")).isEqualTo("SERVER_THREADPOOL_BUSY");
    assertThat(busy.contains("service")).isFalse();
  }

  @ParameterizedTest(name = "v{0}")
  @ValueSource(ints = {0, 1, 2})
  void onErrorWritesAResponseBoltsClientThrowsWithTheMessage(int version) throws Exception {
    Metadata request = new Metadata(); // version 0: a request that could not be decoded at all
    if (version > 0) {
      request = decode(boltRequest(version, 11, SofaStyle.request("alice", Map.of())));
    }
    request.setRequestId(11);
    ByteBuf out = buffer();

    codec.onError(request, ErrorType.OVER_LIMIT, "rate limit of 10/s exceeded", out);

    RpcResponseCommand response = (RpcResponseCommand) boltDecode(out.duplicate(), Math.max(version, 1));
    assertThat(response.getId()).isEqualTo(11);
    assertThat(response.getResponseStatus()).isEqualTo(ResponseStatus.SERVER_EXCEPTION);
    assertThatThrownBy(() -> RpcResponseResolver.resolveResponseObject(response, "127.0.0.1:12200"))
        .isInstanceOf(InvokeServerException.class)
        .cause()
        .isInstanceOf(RpcServerException.class)
        .hasMessage("metaproxy: over_limit: rate limit of 10/s exceeded");
    Metadata reply = decode(out);
    assertThat(reply.messageType()).isEqualTo(MessageType.ERROR);
    assertThat(reply.get("status")).isEqualTo("SERVER_EXCEPTION");
  }

  @Test
  void onErrorCutsLongMessagesWithoutSplittingACharacter() throws Exception {
    String prefix = "metaproxy: bad_request: ";
    String message = "x".repeat(RpcServerExceptionBody.MAX_MESSAGE_CHARS - prefix.length() - 1) + "😀" + "y".repeat(99);
    ByteBuf out = buffer();

    codec.onError(new Metadata(), ErrorType.BAD_REQUEST, message, out);

    RpcResponseCommand response = (RpcResponseCommand) boltDecode(out, 1);
    assertThatThrownBy(() -> RpcResponseResolver.resolveResponseObject(response, "127.0.0.1:12200"))
        .cause()
        .hasMessage(prefix + message.substring(0, RpcServerExceptionBody.MAX_MESSAGE_CHARS - prefix.length() - 1));
  }

  @Test
  void writesAHeartbeatBoltDecodes() throws Exception {
    ByteBuf out = buffer();
    assertThat(codec.writeHeartbeat(77, out)).isTrue();

    RpcCommand heartbeat = boltDecode(out.duplicate(), 1);
    assertThat(heartbeat).isInstanceOf(HeartbeatCommand.class);
    assertThat(heartbeat.getId()).isEqualTo(77);
    Metadata decodedHeartbeat = decode(out);
    assertThat(decodedHeartbeat.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(decodedHeartbeat.requestId()).isEqualTo(77);
  }

  @ParameterizedTest(name = "v{0}")
  @ValueSource(ints = {1, 2})
  void answersBoltsHeartbeatWithAnAckAndTheAckWithNothing(int version) throws Exception {
    HeartbeatCommand command = new HeartbeatCommand();
    Metadata heartbeat = decode(encode(command, version));
    assertThat(heartbeat.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(heartbeat.size()).isZero();

    ByteBuf out = buffer();
    assertThat(codec.replyToHeartbeat(heartbeat, out)).isTrue();

    RpcCommand ack = boltDecode(out.duplicate(), version);
    assertThat(ack).isInstanceOf(HeartbeatAckCommand.class);
    assertThat(ack.getId()).isEqualTo(command.getId());
    assertThat(((HeartbeatAckCommand) ack).getResponseStatus()).isEqualTo(ResponseStatus.SUCCESS);
    Metadata decodedAck = decode(out);
    assertThat(decodedAck.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(codec.replyToHeartbeat(decodedAck, buffer())).as("an ack is not answered").isFalse();
  }

  @Test
  void rejectsBytesThatAreNotBolt() {
    assertThatThrownBy(() -> codec.decode(copy("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)),
        new Metadata())).isInstanceOf(CodecException.class).hasMessageContaining("protocol code 71");
    assertThatThrownBy(() -> codec.decode(copy(new byte[] {1, 9, 0, 1}), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("command type 9");
    byte[] negativeContent = new byte[22];
    negativeContent[0] = 1;
    negativeContent[1] = 1;
    negativeContent[18] = (byte) 0x80; // contentLen = Integer.MIN_VALUE
    assertThatThrownBy(() -> codec.decode(copy(negativeContent), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("content length");
  }

  @Test
  void isAPf4jExtensionNamedBolt() throws IOException {
    assertThat(new BoltCodecFactory().name()).isEqualTo("bolt");
    assertThat(new BoltCodecFactory().create()).isNotSameAs(new BoltCodecFactory().create());
    List<String> indexed = new ArrayList<>();
    for (URL index : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
      try (InputStream in = index.openStream()) {
        indexed.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
      }
    }
    assertThat(indexed).contains(BoltCodecFactory.class.getName());
  }

  // ---- helpers

  private ByteBuf boltRequest(int version, int id, GreetRequest request) throws Exception {
    return copy(BoltFrames.request(version, id, request));
  }

  private ByteBuf boltResponse(int version, int id, ResponseStatus status) throws Exception {
    return copy(BoltFrames.response(version, id, status));
  }

  private ByteBuf encode(RpcCommand command, int version) throws Exception {
    return copy(BoltFrames.encode(command, version));
  }

  private static RpcCommand boltDecode(ByteBuf frame, int version) throws Exception {
    return BoltFrames.decode(frame, version);
  }

  /** Replaces a v1 request's header bytes (the frame must have room: callers shrink or keep the size). */
  private void patchHeader(ByteBuf frame, byte[] header) {
    int classLength = frame.getUnsignedShort(14);
    int headerLength = frame.getUnsignedShort(16);
    int contentLength = frame.getInt(18);
    byte[] content = ByteBufUtil.getBytes(frame, 22 + classLength + headerLength, contentLength);
    frame.setShort(16, header.length);
    frame.writerIndex(22 + classLength);
    frame.writeBytes(header).writeBytes(content);
  }

  private Metadata decode(ByteBuf frame) throws CodecException {
    Metadata metadata = new Metadata();
    ByteBuf view = frame.duplicate();
    assertThat(codec.decode(view, metadata)).isEqualTo(DecodeStatus.DONE);
    assertThat(view.isReadable()).as("decode consumed exactly the frame").isFalse();
    metadata.attachFrame(frame.retainedDuplicate());
    decoded.add(metadata);
    return metadata;
  }

  private ByteBuf buffer() {
    ByteBuf buf = ALLOC.directBuffer();
    buffers.add(buf);
    return buf;
  }

  private ByteBuf copy(byte[] bytes) {
    return buffer().writeBytes(bytes);
  }
}
