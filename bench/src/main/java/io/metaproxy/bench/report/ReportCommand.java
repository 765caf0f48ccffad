package io.metaproxy.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code report}: turns a session folder's {@code steps.csv} (and {@code meta.properties}) into {@code table.txt},
 * {@code results.csv}, {@code results.json} and {@code latency.png}, and prints the table.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Build the table, CSV, JSON and PNG of a session from its steps.csv.")
public final class ReportCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "The session folder: reads steps.csv, writes the report.")
  Path dir;

  @Option(names = "--baseline", defaultValue = "haproxy",
      description = "Scenario the ratios are against (default: ${DEFAULT-VALUE}).")
  String baseline;

  @Override
  public Integer call() throws IOException {
    Path steps = dir.resolve("steps.csv");
    if (!Files.exists(steps)) {
      System.err.println("report: " + steps + " does not exist: no scenario ran");
      return 1;
    }
    List<StepRecord> records = StepsCsv.read(steps);
    Map<String, String> meta = readMeta(dir.resolve("meta.properties"));
    Report report = Report.build(records, baseline, meta);
    String table = report.table();
    Files.writeString(dir.resolve("table.txt"), table, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.csv"), report.csv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.json"), report.json(), StandardCharsets.UTF_8);
    LatencyPlot.write(report, title(records), dir.resolve("latency.png"));
    System.out.print(table);
    System.out.println("\nwritten: " + dir.resolve("table.txt") + ", results.csv, results.json, latency.png");
    return 0;
  }

  private static String title(List<StepRecord> records) {
    if (records.isEmpty()) {
      return "latency vs offered load";
    }
    StepRecord first = records.get(0);
    return String.format(Locale.ROOT, "Latency vs offered load: %d-byte payload, %d connections", first.payloadBytes(),
        first.connections());
  }

  /** The session's description written by bench/run, in file order; empty when absent. */
  static Map<String, String> readMeta(Path file) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return meta;
    }
    // Properties loses the order; read the keys in file order, values through Properties for its escapes
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    Map<Integer, String> order = new TreeMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      int equals = line.indexOf('=');
      if (!line.startsWith("#") && equals > 0) {
        order.put(i, line.substring(0, equals).trim());
      }
    }
    for (String key : order.values()) {
      if (properties.containsKey(key)) {
        meta.put(key, properties.getProperty(key));
      }
    }
    return meta;
  }
}
