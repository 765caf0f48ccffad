package io.metaproxy.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class ReportTest {
  @TempDir Path dir;

  @Test
  void ratiosCompareClosedWithClosedAndOpenStepsAtTheSameRate() {
    Report report = Report.build(session(), "haproxy", Map.of());
    Report.Row metaClosed = row(report, "metaproxy-router", "closed");
    assertThat(metaClosed.comparison().throughputRatio()).isCloseTo(1.1, within());
    assertThat(metaClosed.comparison().cpuRatio()).isCloseTo(20.0 / 10.0, within());
    Report.Row metaHalf = row(report, "metaproxy-router", "open-50%");
    assertThat(metaHalf.comparison().baseline().step()).isEqualTo("open-50%");
    assertThat(metaHalf.comparison().p99Ratio()).isCloseTo(1.4 / 0.8, within());
    assertThat(metaHalf.comparison().p99DeltaMs()).isCloseTo(0.6, within());
    assertThat(row(report, "haproxy", "closed").comparison().throughputRatio()).isEqualTo(1.0);
    // a step at a rate the baseline never ran has nothing to compare with
    assertThat(row(report, "direct", "open-odd").comparison()).isNull();
  }

  @Test
  void budgetIsMeasuredAgainstTheBaselineAtHalfItsMaximum() {
    Report report = Report.build(session(), "haproxy", Map.of());
    assertThat(report.budget()).extracting(Report.BudgetCheck::scenario, Report.BudgetCheck::met)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("metaproxy-router", true),
            org.assertj.core.groups.Tuple.tuple("metaproxy-router", true),
            org.assertj.core.groups.Tuple.tuple("metaproxy-filters", false),
            org.assertj.core.groups.Tuple.tuple("metaproxy-filters", false));
    assertThat(report.budget().get(1).check()).contains("p99 at 5000/s (50% of haproxy max)");
    assertThat(report.budget().get(3).measured()).contains("+1.700 ms");
    assertThat(report.notes()).isEmpty();
  }

  @Test
  void withoutTheBaselineThereAreNoRatiosAndANoteSaysWhy() {
    List<StepRecord> records = session().stream().filter(r -> !r.scenario().equals("haproxy")).toList();
    Report report = Report.build(records, "haproxy", Map.of());
    assertThat(report.rows()).allMatch(row -> row.comparison() == null);
    assertThat(report.budget()).isEmpty();
    assertThat(report.notes()).singleElement().asString().contains("baseline scenario 'haproxy' is missing");
  }

  @Test
  void aRowWrittenBeforeTheStealColumnStillParsesWithUnknownSteal() {
    List<String> cells = session().get(0).cells();
    StepRecord legacy = StepRecord.parse(cells.subList(0, cells.size() - 1));
    assertThat(legacy.achievedRps()).isEqualTo(session().get(0).achievedRps());
    assertThat(legacy.stealFraction()).isNaN();
    assertThat(StepRecord.parse(cells).stealFraction()).isEqualTo(0.05);
  }

  @Test
  void csvRoundTripsAndTheReportRendersAsTableJsonAndPng() throws Exception {
    Path steps = dir.resolve("steps.csv");
    for (StepRecord record : session()) {
      StepsCsv.append(steps, record);
    }
    List<StepRecord> read = StepsCsv.read(steps);
    assertThat(read).hasSize(session().size());
    assertThat(read.get(0)).usingRecursiveComparison()
        .withComparatorForType(new org.assertj.core.util.DoubleComparator(1e-3), Double.class)
        .isEqualTo(session().get(0));
    assertThat(Files.readAllLines(steps).get(0)).isEqualTo(String.join(",", StepRecord.HEADER));

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("date", "2026-01-01T00:00:00Z");
    meta.put("pinning", "SUT cpu 0; load generator cpu 1");
    Report report = Report.build(read, "haproxy", meta);

    String table = report.table();
    assertThat(table).contains("# pinning: SUT cpu 0; load generator cpu 1")
        .contains("scenario").contains("thr x")
        .contains("Budget (measured, not asserted)")
        .containsPattern("metaproxy-router +closed +max +11000 ");

    Object json = new Load(LoadSettings.builder().build()).loadFromString(report.json());
    assertThat(json).isInstanceOf(Map.class);
    Map<?, ?> document = (Map<?, ?>) json;
    assertThat(document.get("baseline")).isEqualTo("haproxy");
    assertThat((List<?>) document.get("steps")).hasSize(read.size());
    Map<?, ?> first = (Map<?, ?>) ((List<?>) document.get("steps")).get(0);
    assertThat(first.get("scenario")).isEqualTo("direct");
    assertThat(((Number) first.get("achieved_rps")).doubleValue()).isEqualTo(20000.0);
    assertThat((List<?>) document.get("budget")).hasSize(4);

    String csv = report.csv();
    assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",baseline,thr_ratio,p99_ratio,p99_delta_ms,cpu_ratio");
    assertThat(csv.lines().count()).isEqualTo(read.size() + 1);

    Path png = dir.resolve("latency.png");
    LatencyPlot.write(report, "test", png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
    assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    assertThat(countColor(image, 0x1f77b4)).as("first scenario's color is drawn").isGreaterThan(100);
    assertThat(countColor(image, 0xd62728)).as("second scenario's color is drawn").isGreaterThan(100);
  }

  @Test
  void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(LatencyPlot.niceStep(0.7)).isEqualTo(1.0);
    assertThat(LatencyPlot.niceStep(1300)).isEqualTo(2000.0);
    assertThat(LatencyPlot.niceStep(4200)).isEqualTo(5000.0);
    assertThat(LatencyPlot.niceStep(6000)).isEqualTo(10000.0);
  }

  private static int countColor(BufferedImage image, int rgb) {
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          count++;
        }
      }
    }
    return count;
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  private static Report.Row row(Report report, String scenario, String step) {
    return report.rows().stream()
        .filter(r -> r.record().scenario().equals(scenario) && r.record().step().equals(step)).findFirst()
        .orElseThrow();
  }

  /** HAProxy peaks at 10000/s; metaproxy-router beats the budget, metaproxy-filters misses both parts. */
  private static List<StepRecord> session() {
    List<StepRecord> records = new ArrayList<>();
    records.add(step("direct", "closed", 0, 20000, 0.3, 0.5, 5));
    records.add(step("direct", "open-50%", 5000, 5000, 0.1, 0.3, 5));
    records.add(step("direct", "open-odd", 1234, 1234, 0.1, 0.2, 5));
    records.add(step("haproxy", "closed", 0, 10000, 0.6, 1.0, 10));
    records.add(step("haproxy", "open-25%", 2500, 2500, 0.2, 0.5, 10));
    records.add(step("haproxy", "open-50%", 5000, 5000, 0.3, 0.8, 10));
    records.add(step("metaproxy-router", "closed", 0, 11000, 0.5, 0.9, 20));
    records.add(step("metaproxy-router", "open-25%", 2500, 2500, 0.3, 0.9, 20));
    records.add(step("metaproxy-router", "open-50%", 5000, 5000, 0.4, 1.4, 20));
    records.add(step("metaproxy-filters", "closed", 0, 9000, 0.7, 1.2, 30));
    records.add(step("metaproxy-filters", "open-50%", 5000, 5000, 0.9, 2.5, 30));
    return records;
  }

  private static StepRecord step(String scenario, String step, double offered, double achieved, double p50,
      double p99, double cpuMicros) {
    String mode = offered == 0 ? "closed" : "open";
    long ok = (long) (achieved * 10);
    return new StepRecord(scenario, step, mode, offered, 10.0, 64, offered == 0 ? 1 : 0, 1024, 1203, ok, ok, 0, 0, 0,
        0, achieved, p50, p50 * 1.5, p99, p99 * 1.5, p99 * 3, p50 * 1.1, p50, p99, cpuMicros * ok / 1e6, cpuMicros,
        0.5, 0.2, 0.9, 0.05);
  }
}
