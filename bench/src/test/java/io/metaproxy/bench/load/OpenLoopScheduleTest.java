package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
  private static final long MS = 1_000_000;

  @Test
  void intendedTimesAreEvenlySpacedAndStopBeforeTheEnd() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000 * MS, 10 * MS, 1100 * MS);
    assertThat(schedule.remaining()).isEqualTo(10);
    List<Long> times = new ArrayList<>();
    while (!schedule.finished()) {
      times.add(schedule.take());
    }
    assertThat(times).hasSize(10).first().isEqualTo(1000 * MS);
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i) - times.get(i - 1)).isEqualTo(10 * MS);
    }
    assertThat(times.get(9)).isEqualTo(1090 * MS);
    assertThat(schedule.remaining()).isZero();
  }

  @Test
  void fractionalIntervalsDoNotDrift() {
    // 3 per millisecond: an interval of 333333.33 ns, rounded per request, never accumulated
    OpenLoopSchedule schedule = new OpenLoopSchedule(0, 1e6 / 3, 1000 * MS);
    assertThat(schedule.remaining()).isEqualTo(3000);
    long last = 0;
    while (!schedule.finished()) {
      last = schedule.take();
    }
    assertThat(last).isEqualTo(Math.round(2999 * (1e6 / 3)));
  }

  @Test
  void dueOnlyOnceTheClockHasReachedTheIntendedTime() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(100, 50, 300);
    assertThat(schedule.due(99)).isFalse();
    assertThat(schedule.due(100)).isTrue();
    schedule.take();
    assertThat(schedule.peek()).isEqualTo(150);
    // a late caller finds everything that fell due meanwhile: the backlog keeps its intended times
    assertThat(schedule.due(1_000)).isTrue();
    assertThat(schedule.take()).isEqualTo(150);
    assertThat(schedule.take()).isEqualTo(200);
    assertThat(schedule.take()).isEqualTo(250);
    assertThat(schedule.due(1_000)).isFalse();
    assertThat(schedule.finished()).isTrue();
  }

  @Test
  void worksAcrossTheNanoTimeOverflow() {
    long first = Long.MAX_VALUE - 25;
    OpenLoopSchedule schedule = new OpenLoopSchedule(first, 10, first + 50);
    assertThat(schedule.remaining()).isEqualTo(5);
    assertThat(schedule.due(first + 9)).isTrue();
    schedule.take();
    assertThat(schedule.due(first + 9)).isFalse();
    assertThat(schedule.due(first + 10)).isTrue();
  }

  @Test
  void emptyWhenTheWindowIsShorterThanTheFirstOffset() {
    assertThat(new OpenLoopSchedule(500, 100, 400).finished()).isTrue();
  }

  @Test
  void ratesSpreadOverConnections() {
    assertThat(OpenLoopSchedule.intervalNanos(1000, 1)).isEqualTo(1e6);
    assertThat(OpenLoopSchedule.intervalNanos(64_000, 64)).isEqualTo(1e6);
    assertThatThrownBy(() -> new OpenLoopSchedule(0, 0, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
