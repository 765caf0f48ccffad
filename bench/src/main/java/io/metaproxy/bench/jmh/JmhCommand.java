package io.metaproxy.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jmh [JMH options]}: runs the micro-benchmarks with JMH's own command line ({@code jmh -h} lists its options,
 * {@code jmh -l} the benchmarks). {@link io.metaproxy.bench.BenchMain} hands everything after {@code jmh} to JMH
 * untouched, so JMH's options need no quoting.
 */
@Command(name = "jmh", description = "Run the JMH micro-benchmarks; all further arguments go to JMH (try: jmh -l).")
public final class JmhCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", description = "JMH arguments.")
  List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    run(arguments.toArray(String[]::new));
    return 0;
  }

  /** Runs JMH's main with {@code arguments}. */
  public static void run(String[] arguments) throws Exception {
    org.openjdk.jmh.Main.main(arguments);
  }
}
