package io.metaproxy.codec.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
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

/**
 * What is particular to the example protocol, checked against {@link Frame}, its independent implementation. The
 * host contract is {@link ExampleContractTest}; real sockets are {@link ExampleRoundTripTest}.
 */
class ExampleCodecTest {
  private final Codec codec = new ExampleCodecFactory().create();
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final List<Metadata> messages = new ArrayList<>();

  @AfterEach
  void release() {
    messages.forEach(Metadata::release);
    buffers.forEach(ByteBuf::release);
  }

  @Test
  void headersAreTheMetadataAndTheMethodHeaderNamesTheCall() throws Exception {
    byte[] frame = Frame.of(Frame.ONEWAY, 3, Map.of("method", "log", "level", "info"), "body bytes").toBytes();

    Metadata message = decode(frame);

    assertThat(message.messageType()).isEqualTo(MessageType.ONEWAY);
    assertThat(message.requestId()).isEqualTo(3);
    assertThat(message.operation()).isEqualTo("log");
    assertThat(message.keys()).containsExactlyInAnyOrder("method", "level");
    assertThat(message.get("level")).isEqualTo("info");
    assertThat(message.bodySize()).isEqualTo("body bytes".length());
    assertThat(message.headerSize() + message.bodySize()).isEqualTo(frame.length);
  }

  @Test
  void encodeRewritesTheHeadersAndCopiesTypeAndBody() throws Exception {
    Metadata message = decode(Frame.of(Frame.ONEWAY, 3, Map.of("method", "log", "level", "info"), "b").toBytes());
    Mutation mutation = new Mutation();
    mutation.set("level", "debug");
    mutation.set("tenant", "t1");
    mutation.remove("method");
    message.setRequestId(Long.MAX_VALUE);

    Frame encoded = Frame.parse(encode(message, mutation));

    assertThat(encoded.type()).isEqualTo(Frame.ONEWAY);
    assertThat(encoded.id()).isEqualTo(Long.MAX_VALUE);
    assertThat(encoded.headers()).containsOnly(Map.entry("level", "debug"), Map.entry("tenant", "t1"));
    assertThat(encoded.bodyText()).isEqualTo("b");
  }

  @Test
  void onErrorWritesAnErrorFrameNamingTheErrorWithTheReasonAsBody() throws Exception {
    Metadata request = decode(Frame.of(Frame.REQUEST, 8, Map.of("method", "greet"), "x").toBytes());
    ByteBuf out = buffer();

    codec.onError(request, ErrorType.ROUTE_NOT_FOUND, "no route for greet", out);

    Frame reply = Frame.parse(ByteBufUtil.getBytes(out));
    assertThat(reply.type()).isEqualTo(Frame.ERROR);
    assertThat(reply.id()).isEqualTo(8);
    assertThat(reply.headers()).containsOnly(Map.entry("error", "route_not_found"));
    assertThat(reply.bodyText()).isEqualTo("no route for greet");
  }

  @Test
  void heartbeatsArePingAndPong() throws Exception {
    ByteBuf ping = buffer();
    codec.writeHeartbeat(5, ping);
    assertThat(ByteBufUtil.getBytes(ping)).isEqualTo(Frame.of(Frame.PING, 5, Map.of(), "").toBytes());

    Metadata pong = decode(Frame.of(Frame.PONG, 5, Map.of(), "").toBytes());
    assertThat(pong.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(codec.replyToHeartbeat(pong, buffer())).isFalse();
  }

  @Test
  void refusesWhatIsNotThisProtocolAsSoonAsItCanTell() {
    assertThatThrownBy(() -> codec.decode(buffer("GE".getBytes(StandardCharsets.US_ASCII)), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("magic");
    byte[] version2 = Frame.of(Frame.REQUEST, 1, Map.of(), "").toBytes();
    version2[2] = 2;
    assertThatThrownBy(() -> codec.decode(buffer(version2), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("version 2");
    byte[] type9 = Frame.of((byte) 9, 1, Map.of(), "").toBytes();
    assertThatThrownBy(() -> codec.decode(buffer(type9), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("type 9");
    byte[] negativeBody = Frame.of(Frame.REQUEST, 1, Map.of(), "").toBytes();
    java.util.Arrays.fill(negativeBody, negativeBody.length - 4, negativeBody.length, (byte) 0xFF);
    assertThatThrownBy(() -> codec.decode(buffer(negativeBody), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("body length -1");
  }

  @Test
  void waitsWhileAHeaderIsIncomplete() throws Exception {
    byte[] frame = Frame.of(Frame.REQUEST, 1, Map.of("method", "greet"), "x").toBytes();
    ByteBuf partial = buffer(java.util.Arrays.copyOf(frame, 20)); // inside the first header

    assertThat(codec.decode(partial, new Metadata())).isEqualTo(DecodeStatus.WAIT_FOR_DATA);
  }

  @Test
  void refusesHeadersLongerThanTheirLengthField() throws Exception {
    Metadata message = decode(Frame.of(Frame.REQUEST, 1, Map.of(), "").toBytes());
    Mutation mutation = new Mutation();
    mutation.set("big", "v".repeat(70_000));

    assertThatThrownBy(() -> codec.encode(message, mutation, buffer())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isAPf4jExtensionNamedExample() throws IOException {
    assertThat(new ExampleCodecFactory().name()).isEqualTo("example");
    List<String> indexed = new ArrayList<>();
    for (URL index : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
      try (InputStream in = index.openStream()) {
        indexed.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
      }
    }
    assertThat(indexed).contains(ExampleCodecFactory.class.getName());
  }

  private Metadata decode(byte[] frame) throws CodecException {
    ByteBuf in = buffer(frame);
    Metadata metadata = new Metadata();
    assertThat(codec.decode(in, metadata)).isEqualTo(DecodeStatus.DONE);
    assertThat(in.isReadable()).isFalse();
    metadata.attachFrame(in.retainedSlice(0, frame.length));
    messages.add(metadata);
    return metadata;
  }

  private byte[] encode(Metadata message, Mutation mutation) {
    ByteBuf out = buffer();
    codec.encode(message, mutation, out);
    return ByteBufUtil.getBytes(out);
  }

  private ByteBuf buffer(byte[] bytes) {
    return buffer().writeBytes(bytes);
  }

  private ByteBuf buffer() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    buffers.add(buf);
    return buf;
  }
}
