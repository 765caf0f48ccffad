package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.bench.BenchMain;
import io.metaproxy.bench.DurationConverter;
import io.metaproxy.bench.echo.EchoServer;
import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.bench.report.StepRecord;
import io.metaproxy.bench.report.StepsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    List<StepRecord> records = StepsCsv.read(steps);
    assertThat(records).extracting(StepRecord::scenario)
        .containsExactly("none-r1", "lua-r1", "js-r1", "js-r2", "lua-r2", "none-r2");
    assertThat(records).allSatisfy(r -> {
      assertThat(r.closed()).isTrue();
      assertThat(r.ok()).isPositive();
      assertThat(r.failures()).isZero();
    });
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
