package io.metaproxy.bench.profile;

import io.metaproxy.bench.load.StepMarks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jfr-summary}: the top costs in a JFR recording of the server under test, optionally cut to one measured
 * step with the load generator's marks ({@code --marks steps-marks.csv --scenario metaproxy-router --step closed}).
 */
@Command(name = "jfr-summary", mixinStandardHelpOptions = true,
    description = "Rank the costs in a JFR recording: hot methods, allocation, contention, GC; optionally only "
        + "during one measured step.")
public final class JfrSummaryCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The .jfr file.")
  Path recording;

  @Option(names = "--marks", description = "Step marks written by `load --marks` (marks.csv of a session).")
  Path marks;

  @Option(names = "--scenario", description = "With --marks: the scenario whose step to keep.")
  String scenario;

  @Option(names = "--step", defaultValue = "closed",
      description = "With --marks: the step to keep (default: ${DEFAULT-VALUE}).")
  String step;

  @Option(names = "--app", split = ",", defaultValue = "io.metaproxy.",
      description = "Package prefixes of the application's own code (default: ${DEFAULT-VALUE}).")
  List<String> app;

  @Option(names = "--top", defaultValue = "15", description = "Entries per ranking (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--out", description = "Also write the summary to this file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Instant from = null;
    Instant to = null;
    String title = null;
    if (marks != null) {
      if (scenario == null) {
        System.err.println("jfr-summary: --marks needs --scenario");
        return 2;
      }
      StepMarks.Mark mark = StepMarks.find(StepMarks.read(marks), scenario, step).orElse(null);
      if (mark == null) {
        System.err.println("jfr-summary: no step '" + step + "' of scenario '" + scenario + "' in " + marks);
        return 1;
      }
      from = mark.start();
      to = mark.end();
      title = "scenario " + scenario + ", step " + step;
    }
    String text = JfrSummary.read(recording, from, to, app).render(top, title);
    if (out != null) {
      Files.writeString(out, text, StandardCharsets.UTF_8);
    }
    System.out.print(text);
    return 0;
  }
}
