package io.metaproxy.bench.load;

import io.metaproxy.bench.net.Transport;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.metaproxy.bench.report.StepRecord;
import io.metaproxy.bench.report.StepsCsv;
import io.metaproxy.bench.stats.LatencySummary;
import io.metaproxy.bench.stats.ProcCpu;
import io.metaproxy.bench.stats.ProcSteal;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code load}: one scenario of a session. Connects, warms up, measures closed-loop maximum throughput, then open-loop
 * latency at several rates; appends one CSV row per measured step.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Generate load against one address: warm-up, closed-loop maximum throughput, then open-loop steps at fixed "
          + "rates.",
      "Open-loop latency is measured from each request's intended send time (corrected for coordinated omission).",
      "Warm-up (closed loop for --warmup, then open loop at the first rate for up to 3 s) is not recorded.",
      "With --sequence: closed-loop steps only, over several configurations of one running server, on the same "
          + "connections, or over several servers, one per row (see --sequence and --row-port)."
    })
public final class LoadCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._%+-]+");
  private static final Duration OPEN_WARMUP = Duration.ofSeconds(3);

  @Option(names = "--scenario", defaultValue = "direct",
      description = "Name of this scenario in results (default: ${DEFAULT-VALUE}).")
  String scenario;

  @Option(names = "--protocol", defaultValue = "dubbo", description = "Wire protocol (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Target address (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port",
      description = "Target port; required, except with --sequence when every row has its own --row-port.")
  Integer port;

  @Option(names = "--connections", defaultValue = "64", description = "Connections (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--threads", description = "Event loop threads (default: the CPUs this process may use).")
  Integer threads;

  @Option(names = "--payload", defaultValue = "1024",
      description = "Characters of the request's string argument (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(names = "--attachment", description = "Extra attachment key=value on every request; repeatable.")
  Map<String, String> attachments = new LinkedHashMap<>();

  @Option(names = "--warmup", defaultValue = "10s",
      description = "Closed-loop warm-up, not recorded (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--duration", defaultValue = "10s",
      description = "Length of each measured step (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--pause", defaultValue = "1s", description = "Idle time between steps (default: ${DEFAULT-VALUE}).")
  Duration pause;

  @Option(names = "--closed-loop", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Measure closed-loop maximum throughput (default: ${DEFAULT-VALUE}).")
  boolean closedLoop;

  @Option(names = "--depth", defaultValue = "1",
      description = "Closed loop: requests in flight per connection (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--rates", split = ",",
      description = "Open-loop rates in requests/s, each optionally labelled: 25%%=12000,50%%=24000 or 12000,24000.")
  List<String> rates = new ArrayList<>();

  @Option(names = "--fractions", split = ",", defaultValue = "0.25,0.5,0.75,0.9",
      description = "Without --rates: open-loop rates as fractions of --base-rate, or of the closed-loop maximum "
          + "(default: ${DEFAULT-VALUE}).")
  List<Double> fractions;

  @Option(names = "--base-rate",
      description = "Rate that --fractions apply to (default: this run's closed-loop maximum).")
  Double baseRate;

  @Option(names = "--max-in-flight", defaultValue = "1024",
      description = "Open loop: most outstanding requests per connection (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--timeout", defaultValue = "5s", description = "Request timeout (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--drain", defaultValue = "5s",
      description = "After each step, how long outstanding requests may finish (default: ${DEFAULT-VALUE}).")
  Duration drain;

  @Option(names = "--sut-pid", description = "Process under test: its CPU time per request is reported.")
  Long sutPid;

  @Option(names = "--backend-pid", description = "Backend process: its CPU use is reported too.")
  Long backendPid;

  @Option(names = "--out", description = "CSV file to append one row per measured step to.")
  Path out;

  @Option(names = "--rates-out", description = "Write the open-loop rates used (label=rate,...) to this file.")
  Path ratesOut;

  @Option(names = "--marks",
      description = "Append scenario,step,start_ms,end_ms (epoch milliseconds) of each measured step to this CSV, "
          + "to find the step in a profile of the server recorded meanwhile (see jfr-summary).")
  Path marks;

  @Option(names = "--hlog", description = "Write each step's corrected latency histogram (HdrHistogram log) here.")
  Path hlog;

  @Option(names = "--sequence", split = ",",
      description = "Rows to compare on one running server, e.g. none,lua,js: after --warmup, for each of --rounds "
          + "rounds (even rounds in reverse order), each row in turn runs --before-step, then --step-warmup of "
          + "unrecorded load, then one measured closed-loop step recorded as scenario <row>-r<round>. The "
          + "connections stay open throughout, so the server must switch rows without dropping them (a config "
          + "reload does), or each row has its own server (--row-port). Replaces --scenario's steps: no open-loop "
          + "steps.")
  List<String> sequence = new ArrayList<>();

  @Option(names = "--row-port", paramLabel = "ROW=PORT",
      description = "--sequence: row ROW runs on its own server at PORT; repeatable. Each port gets its own "
          + "--connections, opened at the start and kept open for the whole run; --warmup runs on each in turn. "
          + "Rows without one run on --port.")
  Map<String, Integer> rowPorts = new LinkedHashMap<>();

  @Option(names = "--row-sut-pid", paramLabel = "ROW=PID",
      description = "--sequence: the process whose CPU time per request row ROW's steps report (default: "
          + "--sut-pid); repeatable.")
  Map<String, Long> rowSutPids = new LinkedHashMap<>();

  @Option(names = "--rounds", defaultValue = "1", description = "--sequence: rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--before-step",
      description = "--sequence: shell command run (sh -c, the row as $1) before each step, e.g. one that reloads the "
          + "server with that row's configuration; it must exit 0 within 60 s, or the run stops.")
  String beforeStep;

  @Option(names = "--step-warmup", defaultValue = "2s",
      description = "--sequence: unrecorded load after --before-step, before each measured step "
          + "(default: ${DEFAULT-VALUE}).")
  Duration stepWarmup;

  @Option(names = "--sequence-rate", defaultValue = "0",
      description = "--sequence: run every step (and its --step-warmup) open loop at this many requests per second "
          + "instead of closed loop, so every row meets the same offered load and its CPU time per request is "
          + "compared at equal work; 0: closed loop (default: ${DEFAULT-VALUE}).")
  double sequenceRate;

  @Option(names = "--progress", defaultValue = "line",
      description = "Progress display: line (a line a second), tty (one rewritten line) or off "
          + "(default: ${DEFAULT-VALUE}).")
  String progressMode;

  @Override
  public Integer call() throws Exception {
    if (!NAME.matcher(scenario).matches()) {
      throw new IllegalArgumentException("scenario name may hold letters, digits and ._%+- only: " + scenario);
    }
    for (String row : sequence) {
      if (!NAME.matcher(row).matches()) {
        throw new IllegalArgumentException("--sequence row names may hold letters, digits and ._%+- only: " + row);
      }
    }
    if (sequenceRate < 0) {
      throw new IllegalArgumentException("--sequence-rate must be 0 (closed loop) or a rate, not " + sequenceRate);
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, not " + rounds);
    }
    Map<String, Integer> targets = targetPorts(sequence, rowPorts, rowSutPids, port);
    BenchProtocol wire = BenchProtocol.named(protocol);
    RequestShape shape = new RequestShape(RequestShape.DEFAULT_SERVICE, "1.0.0", "echo", payload, attachments);
    int loops = threads == null ? Transport.defaultThreads() : threads;
    LoadGenerator.Options options = new LoadGenerator.Options(wire, host, port == null ? 0 : port, connections,
        loops, shape, maxInFlight, timeout, drain);
    List<LabelledRate> explicitRates = parseRates(rates);
    Consumer<String> progress = progressSink();
    HistogramLogWriter histogramLog = null;
    PrintStream histogramStream = null;
    if (hlog != null) {
      histogramStream = new PrintStream(new FileOutputStream(hlog.toFile()), true, StandardCharsets.UTF_8);
      histogramLog = new HistogramLogWriter(histogramStream);
      histogramLog.outputComment("scenario " + scenario + ", corrected latency in nanoseconds");
      histogramLog.outputLogFormatVersion();
      histogramLog.outputLegend();
    }
    try {
      if (sequence.isEmpty()) {
        runScenario(options, explicitRates, progress, histogramLog);
      } else {
        runSequence(options, targets, progress, histogramLog);
      }
    } finally {
      if (histogramStream != null) {
        histogramStream.close();
      }
    }
    return 0;
  }

  /** Without --sequence: the closed-loop step, then the open-loop ones, on one set of connections to --port. */
  private void runScenario(LoadGenerator.Options options, List<LabelledRate> explicitRates,
      Consumer<String> progress, HistogramLogWriter histogramLog) throws IOException, InterruptedException {
    try (LoadGenerator generator = LoadGenerator.connect(options)) {
      announce(scenario, options, port, generator);
      warmUp(scenario, generator, progress);
      Double measuredMax = null;
      if (closedLoop) {
        StepResult closed = measure(scenario, generator, Step.closed("closed", duration, depth), sutPid, progress,
            histogramLog);
        measuredMax = closed.achievedRate();
      }
      List<LabelledRate> openRates = explicitRates;
      if (openRates.isEmpty()) {
        Double base = baseRate != null ? baseRate : measuredMax;
        if (base == null || !(base > 0)) {
          throw new IllegalArgumentException("no open-loop rates: give --rates, --base-rate, or run the closed loop");
        }
        openRates = new ArrayList<>();
        for (double fraction : fractions) {
          openRates.add(new LabelledRate(String.format(Locale.ROOT, "%.0f%%", fraction * 100), fraction * base));
        }
      }
      if (ratesOut != null) {
        List<String> cells = openRates.stream()
            .map(r -> r.label() + "=" + String.format(Locale.ROOT, "%.0f", r.rate())).toList();
        Files.writeString(ratesOut, String.join(",", cells) + "\n");
      }
      if (!warmup.isZero() && !openRates.isEmpty() && openRates.get(0).rate() >= 1) {
        // the open-loop path (timers, pipelining) has code the closed-loop warm-up never ran: JIT it before measuring
        Duration openWarmup = warmup.compareTo(OPEN_WARMUP) < 0 ? warmup : OPEN_WARMUP;
        generator.run(Step.open("warmup-open", openRates.get(0).rate(), openWarmup), progress);
        endProgress();
      }
      for (LabelledRate rate : openRates) {
        if (!(rate.rate() >= 1)) {
          continue;
        }
        TimeUnit.MILLISECONDS.sleep(pause.toMillis());
        measure(scenario, generator, Step.open("open-" + rate.label(), rate.rate(), duration), sutPid, progress,
            histogramLog);
      }
      reportReconnects(generator.reconnects());
    }
  }

  /**
   * The rows of --sequence, round by round, each on the open connections to its row's port ({@code targets}). All
   * connection sets are opened and warmed up before the first step and kept until the last, so that a row served by
   * its own process meets connections as warm as every other row's.
   */
  private void runSequence(LoadGenerator.Options options, Map<String, Integer> targets, Consumer<String> progress,
      HistogramLogWriter log) throws IOException, InterruptedException {
    try (RowTargets rows = RowTargets.connect(options, targets)) {
      for (RowTargets.Target target : rows.targets()) {
        announce(scenario + " (" + String.join(",", target.rows()) + ")", options, target.port(),
            target.generator());
      }
      for (RowTargets.Target target : rows.targets()) {
        warmUp(String.join(",", target.rows()), target.generator(), progress);
      }
      for (int round = 1; round <= rounds; round++) {
        for (String row : roundOrder(sequence, round)) {
          runRowStep(row, round, rows.generator(row), progress, log);
        }
      }
      reportReconnects(rows.reconnects());
    }
  }

  /** One row's step of a round: --before-step, --step-warmup, then the measured step, on that row's connections. */
  private void runRowStep(String row, int round, LoadGenerator generator, Consumer<String> progress,
      HistogramLogWriter log) throws IOException, InterruptedException {
    if (beforeStep != null) {
      runHook(beforeStep, row);
    }
    if (!stepWarmup.isZero()) {
      generator.run(sequenceStep("step-warmup", stepWarmup), progress);
      endProgress();
    }
    measure(row + "-r" + round, generator, sequenceStep(sequenceRate > 0 ? "open" : "closed", duration),
        rowSutPids.getOrDefault(row, sutPid), progress, log);
  }

  /** A step of --sequence: closed loop, or open loop at --sequence-rate. */
  private Step sequenceStep(String label, Duration length) {
    return sequenceRate > 0 ? Step.open(label, sequenceRate, length) : Step.closed(label, length, depth);
  }

  /**
   * The port each distinct row of {@code rows} runs on, in row order: its {@code --row-port}, else {@code port}.
   * Rejects a {@code --row-port} or {@code --row-sut-pid} that names no row of the sequence (a typo would otherwise
   * measure the wrong server without a word), and a row left without any port. Without a sequence: an empty map,
   * and {@code port} must be given.
   */
  static Map<String, Integer> targetPorts(List<String> rows, Map<String, Integer> rowPorts,
      Map<String, Long> rowSutPids, Integer port) {
    if (rows.isEmpty()) {
      if (!rowPorts.isEmpty() || !rowSutPids.isEmpty()) {
        throw new IllegalArgumentException("--row-port and --row-sut-pid need --sequence");
      }
      if (port == null) {
        throw new IllegalArgumentException("--port is required (but for --sequence with a --row-port for every row)");
      }
      return Map.of();
    }
    requireRows("--row-port", rowPorts.keySet(), rows);
    requireRows("--row-sut-pid", rowSutPids.keySet(), rows);
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String row : rows) {
      Integer rowPort = rowPorts.getOrDefault(row, port);
      if (rowPort == null) {
        throw new IllegalArgumentException("row " + row + " has no --row-port, and there is no --port for it");
      }
      if (rowPort < 1 || rowPort > 65535) {
        throw new IllegalArgumentException("row " + row + ": no such port " + rowPort);
      }
      ports.put(row, rowPort);
    }
    return ports;
  }

  private static void requireRows(String option, Iterable<String> named, List<String> rows) {
    for (String row : named) {
      if (!rows.contains(row)) {
        throw new IllegalArgumentException(option + " names row '" + row + "', which is not in --sequence "
            + String.join(",", rows));
      }
    }
  }

  private void announce(String what, LoadGenerator.Options options, int targetPort, LoadGenerator generator) {
    System.out.printf(Locale.ROOT, "load: %s -> %s:%d, %s, %d connections on %d %s threads, %d-byte requests%n",
        what, host, targetPort, protocol, connections, options.threads(), Transport.name(), generator.requestBytes());
  }

  /** --warmup on {@code generator}'s connections (closed loop, not recorded). */
  private void warmUp(String what, LoadGenerator generator, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (warmup.isZero()) {
      return;
    }
    StepResult warm = generator.run(Step.closed("warmup", warmup, depth), progress);
    endProgress();
    System.out.printf(Locale.ROOT, "%-16s %-10s %9.0f ok/s  (not recorded)%s%n", what, "warmup",
        warm.achievedRate(), warm.failures() > 0 ? "  failures " + warm.failures() : "");
  }

  private static void reportReconnects(long reconnects) {
    if (reconnects > 0) {
      System.out.println("load: reopened " + reconnects + " lost connections between steps");
    }
  }

  /** The rows of round {@code round} (from 1): as given in odd rounds, reversed in even ones. */
  static List<String> roundOrder(List<String> rows, int round) {
    return round % 2 == 1 ? List.copyOf(rows) : List.copyOf(rows.reversed());
  }

  /** Runs {@code command} by {@code sh -c} with {@code row} as {@code $1}; its output goes to ours. */
  static void runHook(String command, String row) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("sh", "-c", command, "before-step", row).inheritIO().start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("--before-step for row " + row + " did not finish within 60 s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException("--before-step for row " + row + " exited with " + process.exitValue() + ": " + command);
    }
  }

  /**
   * One measured step, recorded under scenario {@code stepScenario}, with the CPU time per request of process
   * {@code sut} (none: null).
   */
  private StepResult measure(String stepScenario, LoadGenerator generator, Step step, Long sut,
      Consumer<String> progress, HistogramLogWriter log) throws IOException, InterruptedException {
    long selfPid = ProcessHandle.current().pid();
    Optional<ProcSteal.Sample> stealBefore = ProcSteal.sample();
    OptionalLong sutBefore = cpu(sut);
    OptionalLong backendBefore = cpu(backendPid);
    OptionalLong selfBefore = ProcCpu.ticks(selfPid);
    long wallStart = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    StepResult result = generator.run(step, progress);
    long endMillis = System.currentTimeMillis();
    double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
    if (marks != null) {
      StepMarks.append(marks, new StepMarks.Mark(stepScenario, step.label(), startMillis, endMillis));
    }
    endProgress();
    double sutSeconds = delta(sutBefore, cpu(sut));
    double backendSeconds = delta(backendBefore, cpu(backendPid));
    double selfSeconds = delta(selfBefore, ProcCpu.ticks(selfPid));
    Optional<ProcSteal.Sample> stealAfter = ProcSteal.sample();
    double steal = stealBefore.isPresent() && stealAfter.isPresent()
        ? stealAfter.get().stealFractionSince(stealBefore.get()) : Double.NaN;

    LatencySummary corrected = LatencySummary.of(result.corrected());
    LatencySummary raw = LatencySummary.of(result.raw());
    long responses = result.responses();
    StepRecord record = new StepRecord(stepScenario, step.label(), step.mode().label(), step.rate(),
        result.windowNanos() / 1e9, connections, step.mode() == Step.Mode.CLOSED ? step.depth() : 0, payload,
        generator.requestBytes(), result.sent(), result.ok(), result.errors(), result.timeouts(),
        result.connectionErrors(), result.unexpected(), result.achievedRate(), corrected.p50(), corrected.p90(),
        corrected.p99(), corrected.p999(), corrected.max(), corrected.mean(), raw.p50(), raw.p99(), sutSeconds,
        responses > 0 ? sutSeconds * 1e6 / responses : Double.NaN, sutSeconds / wallSeconds,
        backendSeconds / wallSeconds, selfSeconds / wallSeconds, steal);
    if (out != null) {
      StepsCsv.append(out, record);
    }
    if (log != null) {
      result.corrected().setTag(stepScenario + "/" + step.label());
      log.outputIntervalHistogram(result.corrected());
    }
    System.out.printf(Locale.ROOT, "%-16s %-10s %s %9.0f ok/s  p50 %7.3f  p99 %7.3f  p99.9 %7.3f  max %8.3f ms"
            + "  failures %d%s%s%s%n",
        stepScenario, step.label(), step.mode() == Step.Mode.OPEN ? String.format(Locale.ROOT, "at %7.0f/s", step.rate())
            : "max       ", record.achievedRps(), record.p50(), record.p99(), record.p999(), record.max(),
        record.failures(),
        Double.isNaN(record.sutCpuMicrosPerRequest()) ? ""
            : String.format(Locale.ROOT, "  SUT %.1f us/req (%.2f cores)", record.sutCpuMicrosPerRequest(),
                record.sutCores()),
        String.format(Locale.ROOT, "  loadgen %.2f cores", record.loadgenCores()),
        Double.isNaN(steal) ? "" : String.format(Locale.ROOT, "  steal %.0f%%", steal * 100));
    return result;
  }

  private static OptionalLong cpu(Long pid) {
    return pid == null ? OptionalLong.empty() : ProcCpu.ticks(pid);
  }

  private static double delta(OptionalLong before, OptionalLong after) {
    if (before.isEmpty() || after.isEmpty()) {
      return Double.NaN;
    }
    return ProcCpu.seconds(after.getAsLong() - before.getAsLong());
  }

  /** A rate in requests/s and its label for reports. */
  record LabelledRate(String label, double rate) {}

  static List<LabelledRate> parseRates(List<String> specs) {
    List<LabelledRate> parsed = new ArrayList<>();
    for (String spec : specs) {
      String text = spec.trim();
      if (text.isEmpty()) {
        continue;
      }
      int equals = text.indexOf('=');
      String label = equals < 0 ? text : text.substring(0, equals);
      double rate = Double.parseDouble(equals < 0 ? text : text.substring(equals + 1));
      if (!NAME.matcher(label).matches()) {
        throw new IllegalArgumentException("bad rate label '" + label + "'");
      }
      parsed.add(new LabelledRate(label, rate));
    }
    return parsed;
  }

  private boolean progressOnLine;

  private Consumer<String> progressSink() {
    return switch (progressMode) {
      case "off" -> line -> { };
      case "tty" -> line -> {
        System.err.print("\r\033[K" + line);
        System.err.flush();
        progressOnLine = true;
      };
      default -> System.err::println;
    };
  }

  private void endProgress() {
    if (progressOnLine) {
      System.err.print("\r\033[K");
      System.err.flush();
      progressOnLine = false;
    }
  }
}
