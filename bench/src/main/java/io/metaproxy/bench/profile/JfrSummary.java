package io.metaproxy.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top costs in a JFR recording, within a time window:
 *
 * <ul>
 *   <li>CPU: where {@code jdk.ExecutionSample}s land: by thread, by top frame (self time), by method anywhere on the
 *       stack (total time), and by the innermost frame of the application's own packages ({@code --app}), which
 *       charges JDK and Netty callees to the metaproxy code that called them;
 *   <li>allocation: {@code jdk.ObjectAllocationSample} weights (the JVM's estimate of bytes allocated) by class and
 *       by the innermost application frame;
 *   <li>contention: {@code jdk.JavaMonitorEnter} (blocked on a {@code synchronized}) and {@code jdk.ThreadPark}
 *       (waiting in a {@code java.util.concurrent} lock or queue), by class and site; only events longer than the
 *       recording's thresholds are recorded (10 ms in JFR's {@code profile} settings, unless overridden);
 *   <li>GC pauses and the JVM's CPU load.
 * </ul>
 *
 * Immutable once built; {@link #render} gives the text report.
 */
public final class JfrSummary {
  private final Path file;
  private final Instant from;
  private final Instant to;
  private final List<String> appPackages;
  private final Counter threads = new Counter();
  private final Counter selfFrames = new Counter();
  private final Counter totalFrames = new Counter();
  private final Counter appFrames = new Counter();
  private final Counter allocationByClass = new Counter();
  private final Counter allocationBySite = new Counter();
  private final Counter monitorByClass = new Counter();
  private final Counter monitorBySite = new Counter();
  private final Counter parkBySite = new Counter();
  private long executionSamples;
  private long allocationBytes;
  private long monitorEvents;
  private long parkEvents;
  private long gcCount;
  private Duration gcPauses = Duration.ZERO;
  private double cpuSamples;
  private double jvmUser;
  private double jvmSystem;
  private double machineTotal;
  private Instant firstEvent;
  private Instant lastEvent;

  private JfrSummary(Path file, Instant from, Instant to, List<String> appPackages) {
    this.file = file;
    this.from = from;
    this.to = to;
    this.appPackages = List.copyOf(appPackages);
  }

  /**
   * Reads {@code file} and keeps the events that started in [{@code from}, {@code to}] (either may be null: open).
   *
   * @param appPackages package prefixes of the application's own code, e.g. {@code io.metaproxy.}
   */
  public static JfrSummary read(Path file, Instant from, Instant to, List<String> appPackages) throws IOException {
    JfrSummary summary = new JfrSummary(file, from, to, appPackages);
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        summary.add(recording.readEvent());
      }
    }
    return summary;
  }

  private void add(RecordedEvent event) {
    Instant start = event.getStartTime();
    if ((from != null && start.isBefore(from)) || (to != null && start.isAfter(to))) {
      return;
    }
    if (firstEvent == null || start.isBefore(firstEvent)) {
      firstEvent = start;
    }
    if (lastEvent == null || start.isAfter(lastEvent)) {
      lastEvent = start;
    }
    switch (event.getEventType().getName()) {
      case "jdk.ExecutionSample" -> executionSample(event);
      case "jdk.ObjectAllocationSample" -> allocationSample(event);
      case "jdk.JavaMonitorEnter" -> {
        monitorEvents++;
        long nanos = event.getDuration().toNanos();
        RecordedClass monitor = event.getClass("monitorClass");
        monitorByClass.add(monitor == null ? "?" : monitor.getName(), nanos);
        monitorBySite.add(site(event.getStackTrace(), frame -> true), nanos);
      }
      case "jdk.ThreadPark" -> {
        parkEvents++;
        RecordedClass parked = event.getClass("parkedClass");
        String site = site(event.getStackTrace(), this::isApp);
        parkBySite.add((parked == null ? "-" : parked.getName()) + " at " + site, event.getDuration().toNanos());
      }
      case "jdk.GarbageCollection" -> {
        gcCount++;
        gcPauses = gcPauses.plus(event.getDuration("sumOfPauses"));
      }
      case "jdk.CPULoad" -> {
        cpuSamples++;
        jvmUser += event.getFloat("jvmUser");
        jvmSystem += event.getFloat("jvmSystem");
        machineTotal += event.getFloat("machineTotal");
      }
      default -> { }
    }
  }

  private void executionSample(RecordedEvent event) {
    RecordedStackTrace stack = event.getStackTrace();
    if (stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    executionSamples++;
    RecordedThread thread = event.getThread("sampledThread");
    threads.add(thread == null ? "?" : thread.getJavaName(), 1);
    List<RecordedFrame> frames = stack.getFrames();
    selfFrames.add(frame(frames.get(0), true), 1);
    Set<String> seen = new HashSet<>();
    for (RecordedFrame frame : frames) {
      String method = frame(frame, false);
      if (seen.add(method)) {
        totalFrames.add(method, 1);
      }
    }
    appFrames.add(site(stack, this::isApp), 1);
  }

  private void allocationSample(RecordedEvent event) {
    long weight = event.getLong("weight");
    allocationBytes += weight;
    RecordedClass type = event.getClass("objectClass");
    allocationByClass.add(type == null ? "?" : type.getName(), weight);
    allocationBySite.add(site(event.getStackTrace(), this::isApp), weight);
  }

  private boolean isApp(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    if (method == null || method.getType() == null) {
      return false;
    }
    String type = method.getType().getName();
    for (String prefix : appPackages) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The innermost frame that {@code wanted} accepts, or the top frame marked "(no app frame)". */
  private static String site(RecordedStackTrace stack, Predicate<RecordedFrame> wanted) {
    if (stack == null || stack.getFrames().isEmpty()) {
      return "(no stack)";
    }
    for (RecordedFrame frame : stack.getFrames()) {
      if (wanted.test(frame)) {
        return frame(frame, true);
      }
    }
    return "(no app frame) " + frame(stack.getFrames().get(0), false);
  }

  private static String frame(RecordedFrame frame, boolean withLine) {
    RecordedMethod method = frame.getMethod();
    if (method == null) {
      return "?";
    }
    String type = method.getType() == null ? "?" : method.getType().getName();
    String name = type + "." + method.getName();
    int line = frame.getLineNumber();
    return withLine && line > 0 ? name + ":" + line : name;
  }

  /** The samples of execution kept. */
  public long executionSamples() {
    return executionSamples;
  }

  /** Methods by self samples, most first. */
  public List<Map.Entry<String, Long>> hotMethods() {
    return selfFrames.top(Integer.MAX_VALUE);
  }

  /** Application frames charged with the samples below them, most first. */
  public List<Map.Entry<String, Long>> hotAppFrames() {
    return appFrames.top(Integer.MAX_VALUE);
  }

  /** Allocated bytes (sampled weights) by class, most first. */
  public List<Map.Entry<String, Long>> allocationByClass() {
    return allocationByClass.top(Integer.MAX_VALUE);
  }

  /** The text report: the {@code top} entries of each ranking. */
  public String render(int top, String title) {
    StringBuilder out = new StringBuilder();
    Duration window = firstEvent == null ? Duration.ZERO : Duration.between(firstEvent, lastEvent);
    double seconds = Math.max(window.toMillis() / 1000.0, 1e-3);
    out.append("# JFR summary: ").append(file).append('\n');
    if (title != null) {
      out.append("# ").append(title).append('\n');
    }
    out.append(String.format(Locale.ROOT, "# window: %s .. %s (%.1f s of events)%n",
        from == null ? "start" : from, to == null ? "end" : to, seconds));
    if (cpuSamples > 0) {
      out.append(String.format(Locale.ROOT, "# CPU (jdk.CPULoad): jvm user %.0f%%, jvm system %.0f%%, machine %.0f%%"
              + " (of all CPUs)%n", 100 * jvmUser / cpuSamples, 100 * jvmSystem / cpuSamples,
          100 * machineTotal / cpuSamples));
    }
    out.append(String.format(Locale.ROOT, "# GC: %d collections, %.1f ms paused (%.2f%% of the window)%n", gcCount,
        gcPauses.toNanos() / 1e6, 100 * gcPauses.toNanos() / 1e9 / seconds));
    out.append(String.format(Locale.ROOT, "# allocation (sampled estimate): %.1f MB/s%n",
        allocationBytes / 1e6 / seconds));
    out.append('\n');

    section(out, "execution samples by thread", threads, executionSamples, top, "samples");
    section(out, "hot methods, self (top frame)", selfFrames, executionSamples, top, "samples");
    section(out, "hot methods, total (anywhere on the stack)", totalFrames, executionSamples, top, "samples");
    section(out, "innermost application frame (" + String.join(", ", appPackages) + ") of each sample",
        appFrames, executionSamples, top, "samples");
    section(out, "allocation by class", allocationByClass, allocationBytes, top, "bytes");
    section(out, "allocation by innermost application frame", allocationBySite, allocationBytes, top, "bytes");
    out.append(String.format(Locale.ROOT, "## lock contention: %d jdk.JavaMonitorEnter events, %.1f ms blocked%n",
        monitorEvents, monitorByClass.sum() / 1e6));
    if (monitorEvents > 0) {
      section(out, "blocked on monitor, by class", monitorByClass, monitorByClass.sum(), top, "ns");
      section(out, "blocked on monitor, by site", monitorBySite, monitorBySite.sum(), top, "ns");
    } else {
      out.append('\n');
    }
    out.append(String.format(Locale.ROOT, "## parking: %d jdk.ThreadPark events, %.1f ms parked%n", parkEvents,
        parkBySite.sum() / 1e6));
    if (parkEvents > 0) {
      section(out, "parked, by class and innermost application frame", parkBySite, parkBySite.sum(), top, "ns");
    } else {
      out.append('\n');
    }
    return out.toString();
  }

  private static void section(StringBuilder out, String title, Counter counter, long total, int top, String unit) {
    out.append("## ").append(title).append('\n');
    if (total <= 0) {
      out.append("(none)\n\n");
      return;
    }
    for (Map.Entry<String, Long> entry : counter.top(top)) {
      String amount = switch (unit) {
        case "bytes" -> String.format(Locale.ROOT, "%10.1f MB", entry.getValue() / 1e6);
        case "ns" -> String.format(Locale.ROOT, "%10.1f ms", entry.getValue() / 1e6);
        default -> String.format(Locale.ROOT, "%10d", entry.getValue());
      };
      out.append(String.format(Locale.ROOT, "%6.1f%% %s  %s%n", 100.0 * entry.getValue() / total, amount,
          entry.getKey()));
    }
    out.append('\n');
  }

  /** Sums by key. */
  private static final class Counter {
    private final Map<String, long[]> sums = new HashMap<>();

    void add(String key, long amount) {
      sums.computeIfAbsent(key, k -> new long[1])[0] += amount;
    }

    long sum() {
      long sum = 0;
      for (long[] value : sums.values()) {
        sum += value[0];
      }
      return sum;
    }

    List<Map.Entry<String, Long>> top(int count) {
      List<Map.Entry<String, Long>> entries = new ArrayList<>();
      sums.forEach((key, value) -> entries.add(Map.entry(key, value[0])));
      entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
          .thenComparing(Map.Entry.comparingByKey()));
      return entries.subList(0, Math.min(count, entries.size()));
    }
  }
}
