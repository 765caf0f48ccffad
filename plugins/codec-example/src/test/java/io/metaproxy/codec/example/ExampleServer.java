package io.metaproxy.codec.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A tiny server of the example protocol on a loopback port, with plain sockets and {@link Frame}: it answers a
 * request with "hello " + its body and the header {@code served-by}, a ping with a pong, and records every request
 * and oneway it receives.
 */
final class ExampleServer implements AutoCloseable {
  final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  private final ServerSocket listener;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();

  ExampleServer() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "example-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket connection = listener.accept();
        connections.add(connection);
        Thread serve = new Thread(() -> serve(connection), "example-server-connection");
        serve.setDaemon(true);
        serve.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket connection) {
    try (InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
      while (true) {
        Frame frame = Frame.readFrom(in);
        switch (frame.type()) {
          case Frame.REQUEST -> {
            received.add(frame);
            Frame.of(Frame.RESPONSE, frame.id(), Map.of("served-by", "example-server"), "hello " + frame.bodyText())
                .writeTo(out);
          }
          case Frame.ONEWAY -> received.add(frame);
          case Frame.PING -> Frame.of(Frame.PONG, frame.id(), Map.of(), "").writeTo(out);
          default -> throw new IOException("unexpected frame type " + frame.type());
        }
      }
    } catch (IOException endOfConnection) {
      // the client went away
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket connection : connections) {
      connection.close();
    }
  }
}
