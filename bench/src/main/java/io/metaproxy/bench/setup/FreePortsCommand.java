package io.metaproxy.bench.setup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ports}: prints distinct free loopback ports, found by binding port 0 (all held until all are found). */
@Command(name = "ports", mixinStandardHelpOptions = true, description = "Print free TCP ports on 127.0.0.1.")
public final class FreePortsCommand implements Callable<Integer> {
  @Option(names = "--count", defaultValue = "1", description = "How many (default: ${DEFAULT-VALUE}).")
  int count;

  @Override
  public Integer call() throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    StringJoiner ports = new StringJoiner(" ");
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports.add(Integer.toString(socket.getLocalPort()));
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    System.out.println(ports);
    return 0;
  }
}
