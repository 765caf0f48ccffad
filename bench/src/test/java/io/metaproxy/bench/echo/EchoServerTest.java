package io.metaproxy.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The echo backend over a real socket: answers by header only, whatever the body. */
class EchoServerTest {
  private static final int PAYLOAD = 700;
  private final DubboProtocol dubbo = DubboProtocol.INSTANCE;
  private EchoServer server;

  @BeforeEach
  void start() throws InterruptedException {
    server = EchoServer.start(dubbo, "127.0.0.1", 0, 1, PAYLOAD);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void answersEveryTwoWayRequestByIdWhateverItsBodyAndWhateverTheSegmentation() throws IOException {
    ByteBuf stream = Unpooled.buffer();
    stream.writeBytes(frame(dubbo.request(RequestShape.echo(1024)), 7));
    // a frame as a proxy could forward it: another body entirely (mutated attachments, other lengths)
    byte[] foreign = new byte[16 + 5000];
    System.arraycopy(dubbo.request(RequestShape.echo(0)), 0, foreign, 0, 16);
    Arrays.fill(foreign, 16, foreign.length, (byte) 0x5a);
    ByteBuf foreignFrame = Unpooled.wrappedBuffer(foreign);
    foreignFrame.setInt(12, 5000);
    stream.writeBytes(frame(foreign, 8));
    byte[] oneWay = frame(dubbo.request(RequestShape.echo(10)), 9);
    oneWay[2] = (byte) 0x82;
    stream.writeBytes(oneWay);
    stream.writeBytes(frame(dubbo.heartbeatRequest(), 10));
    byte[] bytes = new byte[stream.readableBytes()];
    stream.readBytes(bytes);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      // odd segment sizes, so frames and even headers are split across reads
      int[] cuts = {1, 5, 17, 300, 1500};
      int offset = 0;
      for (int i = 0; offset < bytes.length; i++) {
        int length = Math.min(cuts[i % cuts.length], bytes.length - offset);
        out.write(bytes, offset, length);
        out.flush();
        offset += length;
      }
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] reply = dubbo.response(PAYLOAD);
      assertThat(readFrame(in)).isEqualTo(frame(reply, 7));
      assertThat(readFrame(in)).isEqualTo(frame(reply, 8));
      assertThat(readFrame(in)).isEqualTo(frame(dubbo.heartbeatResponse(), 10));
      // the one-way request (id 9) got nothing: the next frame answers the next request
      out.write(frame(dubbo.request(RequestShape.echo(5)), 11));
      out.flush();
      assertThat(readFrame(in)).isEqualTo(frame(reply, 11));
    }
  }

  @Test
  void closesAConnectionThatIsNotDubbo() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
    // and keeps serving others
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(frame(dubbo.request(RequestShape.echo(1)), 1));
      assertThat(readFrame(new DataInputStream(socket.getInputStream()))).isEqualTo(frame(dubbo.response(PAYLOAD), 1));
    }
  }

  private byte[] frame(byte[] template, long id) {
    byte[] copy = template.clone();
    dubbo.writeRequestId(Unpooled.wrappedBuffer(copy), 0, id);
    return copy;
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    byte[] header = new byte[16];
    in.readFully(header);
    int bodyLength = Unpooled.wrappedBuffer(header).getInt(12);
    byte[] frame = Arrays.copyOf(header, 16 + bodyLength);
    in.readFully(frame, 16, bodyLength);
    return frame;
  }
}
