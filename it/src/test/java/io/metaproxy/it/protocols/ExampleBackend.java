package io.metaproxy.it.protocols;

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
 * A tiny example-protocol server on a loopback port, with plain sockets: it answers each request with {@code "hello
 * " + body} and header {@code served-by: <name>}, and records every request it receives (headers as they arrived).
 * Requests on one connection are answered in order, one at a time.
 */
final class ExampleBackend implements AutoCloseable {
  final BlockingQueue<ExampleFrame> received = new LinkedBlockingQueue<>();
  private final String name;
  private final ServerSocket listener;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();

  ExampleBackend(String name) throws IOException {
    this.name = name;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "example-backend-" + name);
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
        Thread serve = new Thread(() -> serve(connection), "example-backend-" + name + "-connection");
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
        ExampleFrame frame = ExampleFrame.readFrom(in);
        if (frame.type() != ExampleFrame.REQUEST) {
          throw new IOException("unexpected frame type " + frame.type());
        }
        received.add(frame);
        ExampleFrame.of(ExampleFrame.RESPONSE, frame.id(), Map.of("served-by", name), "hello " + frame.bodyText())
            .writeTo(out);
      }
    } catch (IOException endOfConnection) {
      // the proxy went away (or sent what this server does not speak): drop the connection
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
