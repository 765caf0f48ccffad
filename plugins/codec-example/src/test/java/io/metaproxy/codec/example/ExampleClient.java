package io.metaproxy.codec.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** A tiny blocking client of the example protocol, with plain sockets and {@link Frame}. */
final class ExampleClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  ExampleClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(5000); // a test waits at most this long for an answer
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends {@code request} and returns the next frame the server sends back. */
  Frame call(Frame request) throws IOException {
    send(request);
    return receive();
  }

  void send(Frame frame) throws IOException {
    frame.writeTo(out);
  }

  /** Sends raw bytes, {@code chunk} bytes per write, to make frames arrive in pieces. */
  void sendInPieces(byte[] bytes, int chunk) throws IOException {
    for (int at = 0; at < bytes.length; at += chunk) {
      out.write(bytes, at, Math.min(chunk, bytes.length - at));
      out.flush();
    }
  }

  Frame receive() throws IOException {
    return Frame.readFrom(in);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
