package io.metaproxy.host.cli;

import io.metaproxy.host.admin.AdminClient;
import io.metaproxy.host.config.ConfigException;
import io.metaproxy.host.config.ConfigLoader;
import io.metaproxy.host.config.ProxyConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code metaproxy reload}: asks the running proxy to reload its configuration, scripts and plugins ({@code POST
 * /reload}). The admin address comes from {@code --admin}, else from the configuration file.
 */
@Command(name = "reload", description = "Hot-reload config, scripts and plugins of the running proxy.")
public final class ReloadCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--admin", paramLabel = "HOST:PORT", description = "admin address (default: from the config file)")
  String admin;

  @Override
  public Integer call() {
    String host;
    int port;
    if (admin != null) {
      int colon = admin.lastIndexOf(':');
      host = admin.substring(0, colon);
      port = Integer.parseInt(admin.substring(colon + 1));
    } else {
      ProxyConfig parsed;
      try {
        parsed = ConfigLoader.load(config.resolve());
      } catch (ConfigException e) {
        // The file the proxy would reload is invalid: say so here; the proxy would reject it the same way.
        System.err.println("reload rejected: " + e.getMessage());
        return 1;
      }
      host = parsed.admin().host();
      port = parsed.admin().port();
    }
    try {
      AdminClient.Response response = AdminClient.send("POST", host, port, "/reload");
      if (response.status() == 200) {
        System.out.println(response.body().strip());
        return 0;
      }
      System.err.println("reload rejected: " + response.body().strip());
      return 1;
    } catch (IOException e) {
      System.err.println("metaproxy reload: " + e.getMessage());
      return 3;
    }
  }
}
