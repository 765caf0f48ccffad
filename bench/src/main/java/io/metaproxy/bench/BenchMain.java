package io.metaproxy.bench;

import io.metaproxy.bench.echo.EchoCommand;
import io.metaproxy.bench.jmh.JmhCommand;
import io.metaproxy.bench.load.LoadCommand;
import io.metaproxy.bench.profile.JfrSummaryCommand;
import io.metaproxy.bench.report.ReportCommand;
import io.metaproxy.bench.setup.FreePortsCommand;
import io.metaproxy.bench.setup.MetaproxyConfigCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar metaproxy-bench.jar <command>}: the benchmark tool's entry point. */
@Command(
    name = "metaproxy-bench",
    mixinStandardHelpOptions = true,
    description = "Load generator, echo backends and reports for benchmarking metaproxy; bench/run drives them.",
    subcommands = {
      EchoCommand.class, LoadCommand.class, ReportCommand.class, MetaproxyConfigCommand.class,
      FreePortsCommand.class, JfrSummaryCommand.class, JmhCommand.class
    })
public final class BenchMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) throws Exception {
    // pf4j brings slf4j-api without a provider; Netty would pick it and slf4j would complain on every start
    io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
        io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    if (args.length > 0 && args[0].equals("jmh")) {
      // JMH parses its own options; picocli would take them for its own
      JmhCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line with the converters every command shares. */
  public static CommandLine commandLine() {
    return new CommandLine(new BenchMain())
        .registerConverter(java.time.Duration.class, DurationConverter::parse);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }
}
