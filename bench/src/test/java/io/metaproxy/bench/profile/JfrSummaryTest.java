package io.metaproxy.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real JFR recording of this JVM, made while one method burns CPU and allocates one kind of object. */
class JfrSummaryTest {
  @TempDir Path dir;

  /** What the busy method allocates, so that it can be found by class. */
  record Marker(long value, String text) {}

  private static volatile Object sink;

  @Test
  void ranksTheBusyMethodAndWhatItAllocates() throws Exception {
    Path file = dir.resolve("test.jfr");
    Instant started;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.ObjectAllocationSample").with("throttle", "1000/s");
      recording.enable("jdk.GarbageCollection");
      recording.start();
      started = Instant.now();
      spin(Duration.ofMillis(1500));
      recording.stop();
      recording.dump(file);
    }

    JfrSummary summary = JfrSummary.read(file, null, null, List.of("io.metaproxy."));
    assertThat(summary.executionSamples()).isPositive();
    assertThat(summary.hotAppFrames()).extracting(Map.Entry::getKey).first(
        org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("JfrSummaryTest.spin");
    assertThat(summary.allocationByClass()).extracting(Map.Entry::getKey).contains(Marker.class.getName());
    String text = summary.render(5, "test");
    assertThat(text).contains("hot methods, self", "allocation by class", Marker.class.getName(), "lock contention");

    JfrSummary before = JfrSummary.read(file, started.minusSeconds(3600), started.minusSeconds(3000),
        List.of("io.metaproxy."));
    assertThat(before.executionSamples()).as("a window before the recording keeps nothing").isZero();
    assertThat(before.allocationByClass()).isEmpty();
  }

  private static void spin(Duration time) {
    long end = System.nanoTime() + time.toNanos();
    long value = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        value = value * 31 + i;
        sink = new Marker(value, Long.toString(value));
      }
    }
  }
}
