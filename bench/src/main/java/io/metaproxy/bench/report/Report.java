package io.metaproxy.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One session's results compared with a baseline scenario (HAProxy in TCP mode, normally).
 *
 * <p><b>Ratios.</b> A closed-loop row is compared with the baseline's closed-loop row; an open-loop row with the
 * baseline's open-loop row at the same offered rate (the session runs every scenario at the same absolute rates, which
 * are fractions of the baseline's maximum). Throughput ratio = achieved / baseline achieved (above 1 is better); p99
 * ratio = p99 / baseline p99 and p99 delta = p99 - baseline p99 (below 1, or below 0, is better); CPU ratio = CPU per
 * request / baseline CPU per request (below 1 is better).
 */
public final class Report {
  /** The budget the issue sets; measured and reported, never asserted. */
  static final double BUDGET_THROUGHPUT_RATIO = 1.0;
  static final double BUDGET_P99_DELTA_MS = 1.0;
  static final double BUDGET_LOAD_FRACTION = 0.5;
  /** Open-loop rows compare when their offered rates differ by less than this fraction. */
  private static final double SAME_RATE = 0.005;

  /** A row and its comparison with the matching baseline row (null when there is none). */
  public record Row(StepRecord record, Comparison comparison) {}

  public record Comparison(
      StepRecord baseline, double throughputRatio, double p99Ratio, double p99DeltaMs, double cpuRatio) {}

  /** One budget line: what was measured against which goal. */
  public record BudgetCheck(String scenario, String check, String measured, String goal, boolean met) {}

  private final List<Row> rows;
  private final String baseline;
  private final boolean baselinePresent;
  private final List<BudgetCheck> budget;
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> meta;

  private Report(List<StepRecord> records, String baseline, Map<String, String> meta) {
    this.baseline = baseline;
    this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    List<StepRecord> base = records.stream().filter(r -> r.scenario().equals(baseline)).toList();
    this.baselinePresent = !base.isEmpty();
    List<Row> built = new ArrayList<>();
    for (StepRecord record : records) {
      StepRecord match = record.scenario().equals(baseline) ? record : matching(base, record);
      built.add(new Row(record, match == null ? null : compare(record, match)));
    }
    this.rows = List.copyOf(built);
    if (!baselinePresent) {
      notes.add("baseline scenario '" + baseline + "' is missing from this session: no ratios");
    }
    this.budget = budgetChecks(records, base);
  }

  /** Builds the report of {@code records} against scenario {@code baseline}; {@code meta} describes the session. */
  public static Report build(List<StepRecord> records, String baseline, Map<String, String> meta) {
    return new Report(records, baseline, meta);
  }

  public List<Row> rows() {
    return rows;
  }

  public List<BudgetCheck> budget() {
    return budget;
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  public String baseline() {
    return baseline;
  }

  public Map<String, String> meta() {
    return meta;
  }

  /** Scenario names in the order they first appear. */
  public List<String> scenarios() {
    Set<String> names = new LinkedHashSet<>();
    for (Row row : rows) {
      names.add(row.record().scenario());
    }
    return List.copyOf(names);
  }

  private static StepRecord matching(List<StepRecord> base, StepRecord record) {
    for (StepRecord candidate : base) {
      if (!candidate.mode().equals(record.mode())) {
        continue;
      }
      if (record.closed() || sameRate(candidate.offeredRps(), record.offeredRps())) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean sameRate(double a, double b) {
    return Math.abs(a - b) <= SAME_RATE * Math.max(a, b);
  }

  private static Comparison compare(StepRecord record, StepRecord base) {
    return new Comparison(base,
        ratio(record.achievedRps(), base.achievedRps()),
        ratio(record.p99(), base.p99()),
        record.p99() - base.p99(),
        ratio(record.sutCpuMicrosPerRequest(), base.sutCpuMicrosPerRequest()));
  }

  private static double ratio(double value, double base) {
    return base > 0 ? value / base : Double.NaN;
  }

  private List<BudgetCheck> budgetChecks(List<StepRecord> records, List<StepRecord> base) {
    List<BudgetCheck> checks = new ArrayList<>();
    StepRecord baseClosed = base.stream().filter(StepRecord::closed).findFirst().orElse(null);
    if (baseClosed == null) {
      return checks;
    }
    double halfLoad = BUDGET_LOAD_FRACTION * baseClosed.achievedRps();
    StepRecord baseHalf = base.stream().filter(r -> !r.closed())
        .min((a, b) -> Double.compare(Math.abs(a.offeredRps() - halfLoad), Math.abs(b.offeredRps() - halfLoad)))
        .orElse(null);
    for (String scenario : records.stream().map(StepRecord::scenario).distinct().toList()) {
      if (!scenario.startsWith("metaproxy")) {
        continue;
      }
      StepRecord closed = records.stream().filter(r -> r.scenario().equals(scenario) && r.closed()).findFirst()
          .orElse(null);
      if (closed != null) {
        double ratio = ratio(closed.achievedRps(), baseClosed.achievedRps());
        checks.add(new BudgetCheck(scenario, "max throughput vs " + baseline,
            fmt("%.0f/s vs %.0f/s = %.2fx", closed.achievedRps(), baseClosed.achievedRps(), ratio),
            fmt(">= %.2fx", BUDGET_THROUGHPUT_RATIO), ratio >= BUDGET_THROUGHPUT_RATIO));
      }
      if (baseHalf != null) {
        StepRecord half = records.stream()
            .filter(r -> r.scenario().equals(scenario) && !r.closed()
                && sameRate(r.offeredRps(), baseHalf.offeredRps()))
            .findFirst().orElse(null);
        if (half != null) {
          double delta = half.p99() - baseHalf.p99();
          checks.add(new BudgetCheck(scenario,
              fmt("p99 at %.0f/s (%.0f%% of %s max)", baseHalf.offeredRps(),
                  100 * baseHalf.offeredRps() / baseClosed.achievedRps(), baseline),
              fmt("%.3f ms vs %.3f ms = %+.3f ms", half.p99(), baseHalf.p99(), delta),
              fmt("<= +%.1f ms", BUDGET_P99_DELTA_MS), delta <= BUDGET_P99_DELTA_MS));
        }
      }
    }
    if (!checks.isEmpty() && (baseClosed.payloadBytes() != 1024 || baseClosed.connections() != 64)) {
      notes.add(fmt("the budget is defined for 1024-byte payloads over 64 connections; this run used %d bytes over %d",
          baseClosed.payloadBytes(), baseClosed.connections()));
    }
    return checks;
  }

  // ---- rendering ----------------------------------------------------------------------------------------------------

  private static final String[] TABLE_HEADER = {
    "scenario", "step", "offered/s", "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "cpu us/req",
    "SUT cores", "thr x", "p99 x", "p99 +ms", "cpu x"
  };

  /** The results as a fixed-width text table, followed by the budget lines and notes. */
  public String table() {
    List<String[]> lines = new ArrayList<>();
    lines.add(TABLE_HEADER);
    for (Row row : rows) {
      StepRecord r = row.record();
      Comparison c = row.comparison();
      lines.add(new String[] {
        r.scenario(), r.step(), r.closed() ? "max" : fmt("%.0f", r.offeredRps()), fmt("%.0f", r.achievedRps()),
        ms(r.p50()), ms(r.p99()), ms(r.p999()), Long.toString(r.failures()), num(r.sutCpuMicrosPerRequest(), 1),
        num(r.sutCores(), 2), c == null ? "" : num(c.throughputRatio(), 2), c == null ? "" : num(c.p99Ratio(), 2),
        c == null ? "" : signed(c.p99DeltaMs()), c == null ? "" : num(c.cpuRatio(), 2)
      });
    }
    int[] widths = new int[TABLE_HEADER.length];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> entry : meta.entrySet()) {
      text.append("# ").append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
    }
    if (baselinePresent) {
      text.append("# ratios (x) and p99 +ms are against ").append(baseline)
          .append(" at the same step (closed loop) or the same offered rate (open loop)\n");
    }
    text.append('\n');
    String previousScenario = null;
    for (int l = 0; l < lines.size(); l++) {
      String[] line = lines.get(l);
      if (l > 1 && !line[0].equals(previousScenario)) {
        text.append('\n');
      }
      previousScenario = line[0];
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        String cell = line[i];
        boolean left = i < 2;
        String padded = left ? String.format("%-" + widths[i] + "s", cell) : String.format("%" + widths[i] + "s", cell);
        out.append(i == 0 ? "" : "  ").append(padded);
      }
      text.append(out.toString().stripTrailing()).append('\n');
      if (l == 0) {
        text.append("-".repeat(out.toString().stripTrailing().length())).append('\n');
      }
    }
    if (!budget.isEmpty()) {
      text.append("\nBudget (measured, not asserted):\n");
      for (BudgetCheck check : budget) {
        text.append(fmt("  %-22s %-38s %-36s goal %-10s %s%n", check.scenario(), check.check(), check.measured(),
            check.goal(), check.met() ? "met" : "NOT met"));
      }
    }
    for (String note : notes) {
      text.append("note: ").append(note).append('\n');
    }
    return text.toString();
  }

  /** The rows with their comparisons as CSV: the step columns, then the ratio columns. */
  public String csv() {
    StringBuilder text = new StringBuilder(String.join(",", StepRecord.HEADER))
        .append(",baseline,thr_ratio,p99_ratio,p99_delta_ms,cpu_ratio\n");
    for (Row row : rows) {
      text.append(String.join(",", row.record().cells()));
      Comparison c = row.comparison();
      if (c == null) {
        text.append(",,,,,\n");
      } else {
        text.append(',').append(baseline)
            .append(',').append(StepRecord.number(c.throughputRatio(), 4))
            .append(',').append(StepRecord.number(c.p99Ratio(), 4))
            .append(',').append(StepRecord.number(c.p99DeltaMs(), 4))
            .append(',').append(StepRecord.number(c.cpuRatio(), 4)).append('\n');
      }
    }
    return text.toString();
  }

  /** Everything as one JSON document: meta, baseline, steps (with comparisons), budget and notes. */
  public String json() {
    Json json = new Json();
    json.beginObject();
    json.name("meta").beginObject();
    for (Map.Entry<String, String> entry : meta.entrySet()) {
      json.name(entry.getKey()).value(entry.getValue());
    }
    json.endObject();
    json.name("baseline").value(baselinePresent ? baseline : null);
    json.name("steps").beginArray();
    for (Row row : rows) {
      json.beginObject();
      List<String> cells = row.record().cells();
      for (int i = 0; i < StepRecord.HEADER.size(); i++) {
        String name = StepRecord.HEADER.get(i);
        String cell = cells.get(i);
        if (i < 3) {
          json.name(name).value(cell);
        } else {
          json.name(name).number(cell);
        }
      }
      Comparison c = row.comparison();
      if (c != null) {
        json.name("vs_baseline").beginObject()
            .name("thr_ratio").number(StepRecord.number(c.throughputRatio(), 4))
            .name("p99_ratio").number(StepRecord.number(c.p99Ratio(), 4))
            .name("p99_delta_ms").number(StepRecord.number(c.p99DeltaMs(), 4))
            .name("cpu_ratio").number(StepRecord.number(c.cpuRatio(), 4))
            .endObject();
      }
      json.endObject();
    }
    json.endArray();
    json.name("budget").beginArray();
    for (BudgetCheck check : budget) {
      json.beginObject().name("scenario").value(check.scenario()).name("check").value(check.check())
          .name("measured").value(check.measured()).name("goal").value(check.goal()).name("met").bool(check.met())
          .endObject();
    }
    json.endArray();
    json.name("notes").beginArray();
    for (String note : notes) {
      json.value(note);
    }
    json.endArray();
    json.endObject();
    return json.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String ms(double value) {
    return num(value, 3);
  }

  private static String num(double value, int decimals) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "-" : fmt("%." + decimals + "f", value);
  }

  private static String signed(double value) {
    return Double.isNaN(value) ? "-" : fmt("%+.3f", value);
  }
}
