package io.metaproxy.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One measured step of one scenario, as a CSV row. Latencies in milliseconds; NaN where nothing was measured (written
 * as an empty cell).
 *
 * @param scenario e.g. {@code direct}, {@code haproxy}, {@code metaproxy-router}
 * @param step e.g. {@code closed}, {@code open-50%}
 * @param mode {@code closed} or {@code open}
 * @param offeredRps the open-loop rate; 0 for closed loop
 * @param windowSeconds how long the measuring window was open
 * @param achievedRps successful responses per second inside the window
 * @param sutCpuSeconds CPU seconds the process under test used during the step (window and drain)
 * @param sutCpuMicrosPerRequest {@code sutCpuSeconds} per response, in microseconds
 * @param sutCores {@code sutCpuSeconds} over the step's wall time: how many cores it kept busy
 * @param stealFraction the fraction of the whole machine's CPU time a hypervisor stole during the step (NaN where
 *     unknown, and in files written before the column existed)
 */
public record StepRecord(
    String scenario,
    String step,
    String mode,
    double offeredRps,
    double windowSeconds,
    int connections,
    int depth,
    int payloadBytes,
    int requestBytes,
    long sent,
    long ok,
    long errors,
    long timeouts,
    long connectionErrors,
    long unexpected,
    double achievedRps,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    double mean,
    double rawP50,
    double rawP99,
    double sutCpuSeconds,
    double sutCpuMicrosPerRequest,
    double sutCores,
    double backendCores,
    double loadgenCores,
    double stealFraction) {

  public static final List<String> HEADER = List.of(
      "scenario", "step", "mode", "offered_rps", "window_s", "connections", "depth", "payload_bytes",
      "request_bytes", "sent", "ok", "errors", "timeouts", "conn_errors", "unexpected", "achieved_rps", "p50_ms",
      "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "raw_p50_ms", "raw_p99_ms", "sut_cpu_s",
      "sut_cpu_us_per_req", "sut_cores", "backend_cores", "loadgen_cores", "steal");

  /** The columns of files written before {@code steal} was added: still readable, with NaN steal. */
  private static final int LEGACY_COLUMNS = HEADER.size() - 1;

  /** Every failure: error responses, timeouts and lost connections. */
  public long failures() {
    return errors + timeouts + connectionErrors;
  }

  public boolean closed() {
    return "closed".equals(mode);
  }

  /** The row's cells in {@link #HEADER} order. */
  public List<String> cells() {
    List<String> cells = new ArrayList<>(HEADER.size());
    cells.add(scenario);
    cells.add(step);
    cells.add(mode);
    cells.add(number(offeredRps, 1));
    cells.add(number(windowSeconds, 3));
    cells.add(Integer.toString(connections));
    cells.add(Integer.toString(depth));
    cells.add(Integer.toString(payloadBytes));
    cells.add(Integer.toString(requestBytes));
    cells.add(Long.toString(sent));
    cells.add(Long.toString(ok));
    cells.add(Long.toString(errors));
    cells.add(Long.toString(timeouts));
    cells.add(Long.toString(connectionErrors));
    cells.add(Long.toString(unexpected));
    cells.add(number(achievedRps, 1));
    for (double latency : new double[] {p50, p90, p99, p999, max, mean, rawP50, rawP99}) {
      cells.add(number(latency, 4));
    }
    cells.add(number(sutCpuSeconds, 2));
    cells.add(number(sutCpuMicrosPerRequest, 2));
    cells.add(number(sutCores, 3));
    cells.add(number(backendCores, 3));
    cells.add(number(loadgenCores, 3));
    cells.add(number(stealFraction, 3));
    return cells;
  }

  /** Parses the cells of one row written by {@link #cells()}. */
  public static StepRecord parse(List<String> cells) {
    if (cells.size() != HEADER.size() && cells.size() != LEGACY_COLUMNS) {
      throw new IllegalArgumentException("expected " + HEADER.size() + " cells, got " + cells.size() + ": " + cells);
    }
    int i = 0;
    return new StepRecord(
        cells.get(i++), cells.get(i++), cells.get(i++), real(cells.get(i++)), real(cells.get(i++)),
        Integer.parseInt(cells.get(i++)), Integer.parseInt(cells.get(i++)), Integer.parseInt(cells.get(i++)),
        Integer.parseInt(cells.get(i++)), Long.parseLong(cells.get(i++)), Long.parseLong(cells.get(i++)),
        Long.parseLong(cells.get(i++)), Long.parseLong(cells.get(i++)), Long.parseLong(cells.get(i++)),
        Long.parseLong(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)),
        real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)),
        real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)),
        real(cells.get(i++)), real(cells.get(i++)), real(cells.get(i++)),
        i < cells.size() ? real(cells.get(i)) : Double.NaN);
  }

  /** {@code value} with {@code decimals} decimals, or an empty string for NaN. */
  static String number(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  private static double real(String cell) {
    return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
  }
}
