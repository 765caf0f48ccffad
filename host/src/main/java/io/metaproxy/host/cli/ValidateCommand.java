package io.metaproxy.host.cli;

import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.server.Proxy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code metaproxy validate}: check a configuration (including its plugins and filter settings) without serving. */
@Command(name = "validate", description = "Check a configuration file without serving; errors name file, line and field.")
public final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    try {
      ProxyConfig checked = Proxy.validate(config.resolve());
      System.out.println("OK: " + checked.source() + " (" + checked.listeners().size() + " listener(s), "
          + checked.clusters().size() + " cluster(s))");
      return 0;
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }
}
