package io.metaproxy.host.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;

/** A blocking client for {@link TestCodec}'s protocol over a plain socket. */
public final class TestClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public TestClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public void send(TestCodec.Frame frame) throws IOException {
    ByteBuf buf = Unpooled.buffer();
    try {
      TestCodec.write(frame, buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      out.write(bytes);
      out.flush();
    } finally {
      buf.release();
    }
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public TestCodec.Frame receive() throws IOException {
    int length = in.readInt();
    byte[] rest = new byte[length];
    in.readFully(rest);
    ByteBuf buf = Unpooled.buffer(4 + length).writeInt(length).writeBytes(rest);
    try {
      return TestCodec.parse(buf);
    } finally {
      buf.release();
    }
  }

  /** Sends a request and waits for its answer. */
  public TestCodec.Frame call(long id, Map<String, String> headers, String body) throws IOException {
    send(new TestCodec.Frame(TestCodec.REQUEST, id, headers, body));
    return receive();
  }

  /** Whether the server closed the connection (reads EOF within the socket timeout). */
  public boolean closedByPeer() {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
