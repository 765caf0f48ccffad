package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.metaproxy.bench.BenchMain;
import io.metaproxy.bench.DurationConverter;
import io.metaproxy.bench.echo.EchoServer;
import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.bench.report.StepRecord;
import io.metaproxy.bench.report.StepsCsv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code load} command end to end against the echo server, as bench/run calls it. */
class LoadCommandTest {
  @TempDir Path dir;

  @Test
  void writesOneRowPerMeasuredStepAndTheRatesItUsed() throws Exception {
    Path steps = dir.resolve("steps.csv");
    Path rates = dir.resolve("rates.txt");
    Path marks = dir.resolve("marks.csv");
    long before = System.currentTimeMillis();
    try (EchoServer echo = EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 64)) {
      int exit = BenchMain.commandLine().execute("load", "--scenario", "direct", "--port", Integer.toString(echo.port()),
          "--connections", "2", "--threads", "1", "--payload", "64", "--warmup", "0", "--duration", "200ms",
          "--pause", "0", "--rates", "low=200,high=400", "--sut-pid", Long.toString(ProcessHandle.current().pid()),
          "--out", steps.toString(), "--rates-out", rates.toString(), "--marks", marks.toString(),
          "--progress", "off");
      assertThat(exit).isZero();
    }
    long after = System.currentTimeMillis();
    List<StepRecord> records = StepsCsv.read(steps);
    assertThat(records).extracting(StepRecord::step).containsExactly("closed", "open-low", "open-high");
    assertThat(records).allSatisfy(r -> {
      assertThat(r.scenario()).isEqualTo("direct");
      assertThat(r.ok()).isPositive();
      assertThat(r.failures()).isZero();
      assertThat(r.payloadBytes()).isEqualTo(64);
      assertThat(r.sutCpuSeconds()).isNotNaN();
      assertThat(r.backendCores()).isNaN();
    });
    assertThat(records.get(1).offeredRps()).isEqualTo(200.0);
    assertThat(records.get(2).sent()).isBetween(80L, 82L);
    assertThat(Files.readString(rates).trim()).isEqualTo("low=200,high=400");

    List<StepMarks.Mark> windows = StepMarks.read(marks);
    assertThat(windows).extracting(StepMarks.Mark::step).containsExactly("closed", "open-low", "open-high");
    for (int i = 0; i < windows.size(); i++) {
      StepMarks.Mark mark = windows.get(i);
      assertThat(mark.scenario()).isEqualTo("direct");
      assertThat(mark.startMillis()).isBetween(before, mark.endMillis());
      assertThat(mark.endMillis() - mark.startMillis()).as("a 200 ms step").isGreaterThanOrEqualTo(190);
      assertThat(mark.endMillis()).isLessThanOrEqualTo(after);
      if (i > 0) {
        assertThat(mark.startMillis()).isGreaterThanOrEqualTo(windows.get(i - 1).endMillis());
      }
    }
    assertThat(StepMarks.find(windows, "direct", "open-low")).contains(windows.get(1));
    assertThat(StepMarks.find(windows, "haproxy", "closed")).isEmpty();
  }

  @Test
  void aSequenceRunsTheHookBeforeEveryStepAndAlternatesTheOrderByRound() throws Exception {
    Path steps = dir.resolve("steps.csv");
    Path hookLog = dir.resolve("hook.log");
    try (EchoServer echo = EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 64)) {
      int exit = BenchMain.commandLine().execute("load", "--port", Integer.toString(echo.port()),
          "--connections", "2", "--threads", "1", "--payload", "64", "--warmup", "0", "--duration", "150ms",
          "--sequence", "none,lua,js", "--rounds", "2", "--step-warmup", "50ms",
          "--before-step", "echo \"$1\" >> '" + hookLog + "'", "--out", steps.toString(), "--progress", "off");
      assertThat(exit).isZero();
    }
    assertThat(Files.readAllLines(hookLog)).containsExactly("none", "lua", "js", "js", "lua", "none");
    cleanClosedSteps(steps, "none-r1", "lua-r1", "js-r1", "js-r2", "lua-r2", "none-r2");
  }

  /** The steps in {@code steps}: exactly {@code scenarios}, in order, each closed-loop and without failures. */
  private static List<StepRecord> cleanClosedSteps(Path steps, String... scenarios) throws Exception {
    List<StepRecord> records = StepsCsv.read(steps);
    assertThat(records).extracting(StepRecord::scenario).containsExactly(scenarios);
    assertThat(records).allSatisfy(r -> {
      assertThat(r.closed()).isTrue();
      assertThat(r.ok()).isPositive();
      assertThat(r.failures()).isZero();
    });
    return records;
  }

  private static EchoServer echoServer() throws InterruptedException {
    return EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 64);
  }

  @Test
  void aFailingHookStopsTheSequenceBeforeItsStep() throws Exception {
    Path steps = dir.resolve("steps.csv");
    try (EchoServer echo = EchoServer.start(DubboProtocol.INSTANCE, "127.0.0.1", 0, 1, 64)) {
      int exit = BenchMain.commandLine().execute("load", "--port", Integer.toString(echo.port()),
          "--connections", "1", "--threads", "1", "--payload", "64", "--warmup", "0", "--duration", "100ms",
          "--sequence", "none,broken", "--step-warmup", "0", "--before-step", "test \"$1\" != broken",
          "--out", steps.toString(), "--progress", "off");
      assertThat(exit).isNotZero();
    }
    assertThat(StepsCsv.read(steps)).extracting(StepRecord::scenario).containsExactly("none-r1");
  }

  @Test
  void rowPortsSendEachRowsStepsToItsOwnServerOnly() throws Exception {
    Path steps = dir.resolve("steps.csv");
    try (EchoServer a = echoServer(); EchoServer b = echoServer(); EchoServer shared = echoServer()) {
      // no warm-ups: every request a server answers is then one of a measured step's
      int exit = BenchMain.commandLine().execute("load", "--port", Integer.toString(shared.port()),
          "--connections", "2", "--threads", "1", "--payload", "64", "--warmup", "0", "--duration", "150ms",
          "--sequence", "a,b,c", "--rounds", "2", "--step-warmup", "0",
          "--row-port", "a=" + a.port(), "--row-port", "b=" + b.port(),
          "--row-sut-pid", "a=" + ProcessHandle.current().pid(), "--out", steps.toString(), "--progress", "off");
      assertThat(exit).isZero();
      List<StepRecord> records = cleanClosedSteps(steps, "a-r1", "b-r1", "c-r1", "c-r2", "b-r2", "a-r2");
      assertThat(a.answered()).as("row a's server").isEqualTo(sent(records, "a"));
      assertThat(b.answered()).as("row b's server").isEqualTo(sent(records, "b"));
      assertThat(shared.answered()).as("--port, for row c without a --row-port").isEqualTo(sent(records, "c"));
    }
    assertThat(StepsCsv.read(steps)).allSatisfy(r -> assertThat(Double.isNaN(r.sutCpuSeconds()))
        .as(r.scenario() + ": SUT CPU only for the row with a --row-sut-pid")
        .isEqualTo(!r.scenario().startsWith("a-")));
  }

  private static long sent(List<StepRecord> records, String row) {
    return records.stream().filter(r -> r.scenario().startsWith(row + "-r")).mapToLong(StepRecord::sent).sum();
  }

  @Test
  void aSequenceRateRunsEveryStepOpenLoopAtThatRate() throws Exception {
    Path steps = dir.resolve("steps.csv");
    try (EchoServer a = echoServer(); EchoServer b = echoServer()) {
      int exit = BenchMain.commandLine().execute("load", "--connections", "2", "--threads", "1", "--payload", "64",
          "--warmup", "0", "--duration", "1s", "--sequence", "a,b", "--rounds", "1", "--step-warmup", "200ms",
          "--sequence-rate", "400", "--row-port", "a=" + a.port(), "--row-port", "b=" + b.port(),
          "--out", steps.toString(), "--progress", "off");
      assertThat(exit).isZero();
    }
    List<StepRecord> records = StepsCsv.read(steps);
    assertThat(records).extracting(StepRecord::scenario).containsExactly("a-r1", "b-r1");
    assertThat(records).allSatisfy(r -> {
      assertThat(r.mode()).isEqualTo("open");
      assertThat(r.offeredRps()).isEqualTo(400.0);
      assertThat(r.achievedRps()).as(r.scenario() + ": paced at the rate, not as fast as the server goes")
          .isBetween(300.0, 500.0);
      assertThat(r.failures()).isZero();
    });
    int rejected = BenchMain.commandLine().setErr(new PrintWriter(new StringWriter())).execute("load",
        "--port", "1", "--sequence", "a", "--sequence-rate", "-5", "--progress", "off");
    assertThat(rejected).isNotZero();
  }

  @Test
  void aRowPortForARowNotInTheSequenceIsRejectedBeforeAnyLoad() throws Exception {
    Path steps = dir.resolve("steps.csv");
    StringWriter err = new StringWriter();
    try (EchoServer echo = echoServer()) {
      String port = Integer.toString(echo.port());
      int exit = BenchMain.commandLine().setErr(new PrintWriter(err, true)).execute("load", "--port", port,
          "--connections", "1", "--threads", "1", "--payload", "64", "--warmup", "0", "--duration", "100ms",
          "--sequence", "none,lua", "--step-warmup", "0", "--row-port", "lau=" + port, "--out", steps.toString(),
          "--progress", "off");
      assertThat(exit).isNotZero();
      assertThat(echo.answered()).isZero();
    }
    assertThat(err.toString()).contains("--row-port names row 'lau', which is not in --sequence none,lua");
    assertThat(steps).doesNotExist();
  }

  @Test
  void everyRowNeedsAPortAndEveryRowPortARow() {
    assertThat(LoadCommand.targetPorts(List.of("none", "lua", "none"), Map.of("none", 9000, "lua", 9001), Map.of(),
        null))
        .as("with a --row-port for every row, --port is not needed; a row named twice is one target")
        .containsExactly(entry("none", 9000), entry("lua", 9001));
    assertThat(LoadCommand.targetPorts(List.of("none", "lua"), Map.of("lua", 9001), Map.of(), 9000))
        .containsExactly(entry("none", 9000), entry("lua", 9001));
    assertThatThrownBy(() -> LoadCommand.targetPorts(List.of("none", "lua"), Map.of("lua", 9001), Map.of(), null))
        .hasMessageContaining("row none has no --row-port");
    assertThatThrownBy(() -> LoadCommand.targetPorts(List.of("none"), Map.of(), Map.of("js", 42L), 9000))
        .hasMessageContaining("--row-sut-pid names row 'js', which is not in --sequence none");
    assertThatThrownBy(() -> LoadCommand.targetPorts(List.of(), Map.of("js", 9001), Map.of(), 9000))
        .hasMessageContaining("need --sequence");
    assertThatThrownBy(() -> LoadCommand.targetPorts(List.of(), Map.of(), Map.of(), null))
        .hasMessageContaining("--port is required");
  }

  @Test
  void ratesParseWithAndWithoutLabels() {
    assertThat(LoadCommand.parseRates(List.of("25%=1000", " 2000 ", "")))
        .containsExactly(new LoadCommand.LabelledRate("25%", 1000), new LoadCommand.LabelledRate("2000", 2000));
    assertThatThrownBy(() -> LoadCommand.parseRates(List.of("a b=3"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("1.5")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(IllegalArgumentException.class);
  }
}
