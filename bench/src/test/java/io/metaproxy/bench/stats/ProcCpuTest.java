package io.metaproxy.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcCpuTest {
  @Test
  void countsFieldsFromTheLastParenthesisSoOddCommandNamesDoNotShiftThem() {
    // field 14 (utime) = 1500, field 15 (stime) = 250
    String stat = "4242 (java (my) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 3 4 20 0 30 0 9999 1000 200";
    assertThat(ProcCpu.parseTicks(stat)).isEqualTo(1750);
  }

  @Test
  void readsThisProcessAndSeesItsCpuGrow() {
    assumeThat(Files.exists(Path.of("/proc/self/stat"))).as("Linux /proc").isTrue();
    long pid = ProcessHandle.current().pid();
    OptionalLong before = ProcCpu.ticks(pid);
    assertThat(before).isPresent();
    // burn at least 100 ms of this thread's CPU (not wall time), i.e. 10 ticks at 100 Hz
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    long sink = 0;
    while (threads.getCurrentThreadCpuTime() - start < 100_000_000L) {
      for (int i = 0; i < 100_000; i++) {
        sink += i * 31L ^ sink;
      }
    }
    assertThat(sink).isNotEqualTo(42);
    long grown = ProcCpu.ticks(pid).getAsLong() - before.getAsLong();
    assertThat(ProcCpu.seconds(grown)).isGreaterThanOrEqualTo(0.05);
  }

  @Test
  void anAbsentProcessHasNoCpu() {
    assertThat(ProcCpu.ticks(Integer.MAX_VALUE)).isEmpty();
  }

  @Test
  void ticksPerSecondIsTheKernelsUsualValue() {
    assertThat(ProcCpu.ticksPerSecond()).isPositive();
  }
}
