package io.metaproxy.bench.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alibaba.com.caucho.hessian.io.Hessian2Input;
import com.alibaba.com.caucho.hessian.io.Hessian2Output;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator's frames, read back by the real Hessian2 implementation Dubbo uses (hessian-lite). */
class DubboProtocolTest {
  private final DubboProtocol dubbo = DubboProtocol.INSTANCE;

  @Test
  void requestIsADubboInvocationThatHessianReads() throws IOException {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("x-user", "bench");
    extra.put("x-trace", "t-1");
    RequestShape shape = new RequestShape("org.example.Greeter", "2.1", "hello", 1024, extra);
    byte[] frame = dubbo.request(shape);

    ByteBuf buf = Unpooled.wrappedBuffer(frame);
    assertThat(buf.getShort(0)).isEqualTo(DubboProtocol.MAGIC);
    assertThat(buf.getByte(2) & 0xff).isEqualTo(0xc2); // request, two-way, hessian2
    assertThat(buf.getLong(4)).isZero();
    assertThat(buf.getInt(12)).isEqualTo(frame.length - 16);

    Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(frame, 16, frame.length - 16));
    assertThat(in.readString()).isEqualTo("2.0.2");
    assertThat(in.readString()).isEqualTo("org.example.Greeter");
    assertThat(in.readString()).isEqualTo("2.1");
    assertThat(in.readString()).isEqualTo("hello");
    assertThat(in.readString()).isEqualTo("Ljava/lang/String;");
    String argument = in.readString();
    assertThat(argument).hasSize(1024).isEqualTo(shape.payload()).matches("[a-z]+");
    @SuppressWarnings("unchecked")
    Map<String, Object> attachments = (Map<String, Object>) in.readObject();
    assertThat(attachments).containsExactlyInAnyOrderEntriesOf(Map.of(
        "path", "org.example.Greeter", "interface", "org.example.Greeter", "version", "2.1",
        "x-user", "bench", "x-trace", "t-1"));
    assertThat(in.read()).as("nothing after the attachments").isEqualTo(-1);
  }

  @Test
  void responseIsAResponseValueThatHessianReads() throws IOException {
    byte[] frame = dubbo.response(1500);
    ByteBuf buf = Unpooled.wrappedBuffer(frame);
    assertThat(buf.getByte(2) & 0xff).isEqualTo(0x02); // response, hessian2
    assertThat(buf.getByte(3) & 0xff).isEqualTo(20);
    assertThat(buf.getInt(12)).isEqualTo(frame.length - 16);

    Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(frame, 16, frame.length - 16));
    assertThat(in.readInt()).isEqualTo(DubboProtocol.RESPONSE_VALUE);
    assertThat(in.readString()).hasSize(1500);
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void heartbeatsCarryANullBody() throws IOException {
    byte[] request = dubbo.heartbeatRequest();
    byte[] response = dubbo.heartbeatResponse();
    assertThat(request[2] & 0xff).isEqualTo(0xe2);
    assertThat(response[2] & 0xff).isEqualTo(0x22);
    assertThat(response[3] & 0xff).isEqualTo(20);
    assertThat(new Hessian2Input(new ByteArrayInputStream(response, 16, response.length - 16)).readObject()).isNull();
  }

  /** Byte for byte what hessian-lite writes, across every string form: compact, short, 'S', and 'R' chunks. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 31, 32, 1023, 1024, 4096, 32767, 32768, 32769, 65536, 70000, 100001})
  void stringsAreEncodedExactlyAsHessianDoes(int length) throws IOException {
    String ascii = RequestShape.payload(length);
    assertThat(new Hessian2Writer().writeString(ascii).toByteArray()).isEqualTo(hessian(ascii));
    String mixed = mixed(length);
    assertThat(new Hessian2Writer().writeString(mixed).toByteArray()).isEqualTo(hessian(mixed));
  }

  @Test
  void aSurrogatePairIsNeverSplitAcrossChunks() throws IOException {
    char[] chars = new char[40000];
    Arrays.fill(chars, 'x');
    chars[Hessian2Writer.MAX_CHUNK - 1] = '\ud83d'; // high surrogate exactly at the chunk's end
    chars[Hessian2Writer.MAX_CHUNK] = '\ude00';
    String text = new String(chars);
    byte[] written = new Hessian2Writer().writeString(text).toByteArray();
    assertThat(written).isEqualTo(hessian(text));
    assertThat(new Hessian2Input(new ByteArrayInputStream(written)).readString()).isEqualTo(text);
  }

  @Test
  void peekWaitsForAWholeFrameAndNeverMovesIndexes() throws MalformedFrameException {
    byte[] frame = dubbo.request(RequestShape.echo(100));
    Frame info = new Frame();
    for (int cut : new int[] {0, 1, 15, 16, 17, frame.length - 1}) {
      ByteBuf partial = Unpooled.wrappedBuffer(frame, 0, cut);
      assertThat(dubbo.peek(partial, info)).as("%d of %d bytes", cut, frame.length).isFalse();
      assertThat(partial.readerIndex()).isZero();
    }
    ByteBuf two = Unpooled.buffer();
    two.writeBytes(frame).writeBytes(dubbo.response(10));
    dubbo.writeRequestId(two, 0, 77);
    dubbo.writeRequestId(two, frame.length, 78);
    assertThat(dubbo.peek(two, info)).isTrue();
    assertThat(info.kind()).isEqualTo(FrameKind.REQUEST);
    assertThat(info.requestId()).isEqualTo(77);
    assertThat(info.length()).isEqualTo(frame.length);
    two.skipBytes(info.length());
    assertThat(dubbo.peek(two, info)).isTrue();
    assertThat(info.kind()).isEqualTo(FrameKind.RESPONSE);
    assertThat(info.requestId()).isEqualTo(78);
    assertThat(info.ok()).isTrue();
    assertThat(two.readerIndex()).isEqualTo(frame.length);
  }

  @Test
  void peekTellsKindsAndStatuses() throws MalformedFrameException {
    Frame info = new Frame();
    assertThat(kind(dubbo.heartbeatRequest(), info)).isEqualTo(FrameKind.HEARTBEAT_REQUEST);
    assertThat(kind(dubbo.heartbeatResponse(), info)).isEqualTo(FrameKind.HEARTBEAT_RESPONSE);
    byte[] oneWay = dubbo.request(RequestShape.echo(3));
    oneWay[2] = (byte) 0x82;
    assertThat(kind(oneWay, info)).isEqualTo(FrameKind.ONE_WAY_REQUEST);
    byte[] error = dubbo.response(3);
    error[3] = 70; // SERVICE_ERROR
    assertThat(kind(error, info)).isEqualTo(FrameKind.RESPONSE);
    assertThat(info.ok()).isFalse();
    assertThat(info.status()).isEqualTo(70);
  }

  @Test
  void garbageIsRejected() {
    Frame info = new Frame();
    ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", java.nio.charset.StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> dubbo.peek(http, info)).isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("magic");
    byte[] negative = dubbo.response(3);
    negative[12] = (byte) 0x80;
    assertThatThrownBy(() -> dubbo.peek(Unpooled.wrappedBuffer(negative), info))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("length");
  }

  private FrameKind kind(byte[] frame, Frame info) throws MalformedFrameException {
    assertThat(dubbo.peek(Unpooled.wrappedBuffer(frame), info)).isTrue();
    return info.kind();
  }

  private static byte[] hessian(String value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Hessian2Output out = new Hessian2Output(bytes);
    out.writeString(value);
    out.flush();
    return bytes.toByteArray();
  }

  /** ASCII with two- and three-byte UTF-8 characters mixed in. */
  private static String mixed(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(switch (i % 7) {
        case 3 -> 'é';
        case 5 -> '€';
        default -> (char) ('a' + i % 26);
      });
    }
    return text.toString();
  }
}
