package io.metaproxy.host.cli;

import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.server.Proxy;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code metaproxy run}: serve until stopped (SIGTERM/SIGINT stop gracefully). */
@Command(name = "run", description = "Serve with a configuration file.")
public final class RunCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--threads", description = "event loops (default: one per core)")
  int threads;

  @Override
  public Integer call() throws Exception {
    Proxy proxy;
    try {
      proxy = Proxy.start(config.resolve(), threads);
    } catch (ConfigException e) {
      System.err.println("metaproxy: invalid configuration: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      proxy.close();
      stopped.countDown();
    }, "metaproxy-shutdown"));
    stopped.await();
    return 0;
  }
}
