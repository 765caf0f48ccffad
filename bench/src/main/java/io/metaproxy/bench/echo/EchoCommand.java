package io.metaproxy.bench.echo;

import io.metaproxy.bench.net.Transport;
import io.metaproxy.bench.protocol.BenchProtocol;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code echo}: runs an echo backend until the process is stopped. */
@Command(name = "echo", mixinStandardHelpOptions = true,
    description = "Run an echo backend: answers every request with a fixed-size reply, reading only frame headers.")
public final class EchoCommand implements Callable<Integer> {
  @Option(names = "--protocol", defaultValue = "dubbo", description = "Wire protocol (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", required = true, description = "Port to listen on.")
  int port;

  @Option(names = "--threads", description = "Event loop threads (default: the CPUs this process may use).")
  Integer threads;

  @Option(names = "--payload", defaultValue = "1024",
      description = "Characters of payload in every reply (default: ${DEFAULT-VALUE}).")
  int payload;

  @Override
  public Integer call() throws Exception {
    int loops = threads == null ? Transport.defaultThreads() : threads;
    EchoServer server = EchoServer.start(BenchProtocol.named(protocol), host, port, loops, payload);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      System.out.printf("echo: answered %d requests%n", server.answered());
      System.out.flush();
      stopped.countDown();
    }, "echo-shutdown"));
    System.out.printf("echo: %s on %s:%d, %d %s threads, %d-byte payload, pid %d%n", protocol, host, server.port(),
        loops, Transport.name(), payload, ProcessHandle.current().pid());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
