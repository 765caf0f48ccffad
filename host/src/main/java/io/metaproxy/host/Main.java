package io.metaproxy.host;

import io.metaproxy.host.cli.DemoCommand;
import io.metaproxy.host.cli.ReloadCommand;
import io.metaproxy.host.cli.RunCommand;
import io.metaproxy.host.cli.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/metaproxy}: run, validate, reload, demo. */
@Command(
    name = "metaproxy",
    mixinStandardHelpOptions = true,
    version = "metaproxy 0.1.0",
    description = "An L7 proxy for RPC protocols: a protocol is a codec, policy is a chain of filters.",
    subcommands = {RunCommand.class, ValidateCommand.class, ReloadCommand.class, DemoCommand.class})
public final class Main implements Runnable {

  static {
    // slf4j-simple reads these once; users override them with -D in JAVA_OPTS.
    defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    defaultProperty("org.slf4j.simpleLogger.showDateTime", "true");
    defaultProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    defaultProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    defaultProperty("org.slf4j.simpleLogger.log.org.pf4j", "warn");
    defaultProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
