package io.metaproxy.host.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, defaulting to the distribution's {@code conf/metaproxy.yaml}. */
public final class ConfigOption {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "configuration file (default: $METAPROXY_HOME/conf/metaproxy.yaml)")
  Path config;

  /** The file to use: the option, else the distribution's default config. */
  public Path resolve() {
    if (config != null) {
      return config;
    }
    return home().resolve("conf").resolve("metaproxy.yaml");
  }

  /** The distribution folder: {@code -Dmetaproxy.home}, set by bin/metaproxy, else the working directory. */
  public static Path home() {
    String home = System.getProperty("metaproxy.home");
    return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
  }
}
