package io.metaproxy.host.cli;

import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.server.Proxy;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code metaproxy demo}: the proxy on the default configuration, plus sample Dubbo backends and a client (a child
 * JVM from {@code demo/lib}, which holds Apache Dubbo, kept off the proxy's class path), so a newcomer sees traffic
 * routed and filtered within seconds.
 */
@Command(name = "demo", description = "Run the proxy on the default config with sample Dubbo backends and a client.")
public final class DemoCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    Path home = ConfigOption.home();
    Path config = home.resolve("conf").resolve("metaproxy.yaml");
    Path demoLib = home.resolve("demo").resolve("lib");
    if (!Files.isDirectory(demoLib)) {
      System.err.println("metaproxy demo: " + demoLib + " is missing; build the distribution first (mvn -DskipTests package)");
      return 1;
    }
    System.out.println("== metaproxy demo: proxy on " + config);
    Proxy proxy;
    try {
      proxy = Proxy.start(config, 0);
    } catch (ConfigException e) {
      System.err.println("metaproxy: invalid configuration: " + e.getMessage());
      return 2;
    }
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new java.util.ArrayList<>(List.of(java));
      if (Runtime.version().feature() >= 24) {
        command.add("--sun-misc-unsafe-memory-access=allow"); // Dubbo's Hessian still uses sun.misc.Unsafe
      }
      command.addAll(List.of("-cp", demoLib + File.separator + "*", "io.metaproxy.demo.DemoMain",
          "--proxy", "127.0.0.1:20880", "--admin", hostPort(proxy)));
      Process client = new ProcessBuilder(command).inheritIO().start();
      int exit = client.waitFor();
      System.out.println("== admin API was at http://" + hostPort(proxy) + "/ (stats, clusters, reload)");
      return exit;
    } finally {
      proxy.close();
    }
  }

  private static String hostPort(Proxy proxy) {
    return proxy.adminAddress().getHostString() + ":" + proxy.adminAddress().getPort();
  }
}
