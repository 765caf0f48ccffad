package io.metaproxy.it.protocols;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** A tiny blocking client of the example protocol, with plain sockets and {@link ExampleFrame}. */
final class ExampleClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  ExampleClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000); // a test waits at most this long for an answer
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends {@code request} and returns the next frame that comes back. */
  ExampleFrame call(ExampleFrame request) throws IOException {
    request.writeTo(out);
    return ExampleFrame.readFrom(in);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
