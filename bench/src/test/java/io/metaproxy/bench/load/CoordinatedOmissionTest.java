package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.bench.stats.LatencySummary;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The open-loop accounting on a virtual clock: a server that answers in 1 ms but stalls for one second, and a client
 * that may keep only one request in flight (the worst case for coordinated omission). Latency from the intended send
 * time must show the stall in the tail; latency from the actual send time hides it, which is the point of measuring
 * both.
 */
class CoordinatedOmissionTest {
  private static final long MS = 1_000_000;
  private static final long SECOND = 1_000 * MS;

  @Test
  void aStallShowsInTheCorrectedTailButNotInTheRawOne() {
    LoopStats stats = simulate(100, 10 * SECOND, 1, 2 * SECOND, 3 * SECOND);
    LatencySummary corrected = LatencySummary.of(stats.corrected);
    LatencySummary raw = LatencySummary.of(stats.raw);

    assertThat(stats.sent).isEqualTo(1000);
    assertThat(stats.ok).isEqualTo(1000);
    assertThat(stats.timeouts).isZero();
    // about 100 requests were meant to go during the stall: waits from ~1 s down to 0 are 10% of all samples
    assertThat(corrected.p50()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(corrected.p99()).isBetween(850.0, 1000.0);
    assertThat(corrected.max()).isBetween(999.0, 1002.0);
    // the client, sending late, saw one slow request and otherwise 1 ms
    assertThat(raw.p99()).isLessThan(1.1);
    assertThat(raw.max()).isBetween(999.0, 1002.0);
  }

  @Test
  void withoutAStallBothMeasuresAgree() {
    LoopStats stats = simulate(100, 10 * SECOND, 1, -1, -1);
    assertThat(stats.ok).isEqualTo(1000);
    assertThat(LatencySummary.of(stats.corrected)).isEqualTo(LatencySummary.of(stats.raw));
    assertThat(LatencySummary.of(stats.corrected).max()).isLessThan(1.01);
  }

  @Test
  void pipeliningBeyondTheStallKeepsIntendedTimes() {
    // with room for many requests in flight the client sends on time; the server still answers late
    LoopStats stats = simulate(100, 10 * SECOND, 1024, 2 * SECOND, 3 * SECOND);
    assertThat(stats.ok).isEqualTo(1000);
    LatencySummary corrected = LatencySummary.of(stats.corrected);
    LatencySummary raw = LatencySummary.of(stats.raw);
    // nothing was held back, so both see the same (correct) stall
    assertThat(raw).isEqualTo(corrected);
    assertThat(corrected.p99()).isBetween(850.0, 1000.0);
  }

  /**
   * One connection at {@code rate}/s for {@code duration}; the server answers each request 1 ms after it arrives,
   * except that nothing is answered between {@code stallStart} and {@code stallEnd} (those wait for its end).
   */
  private static LoopStats simulate(double rate, long duration, int maxInFlight, long stallStart, long stallEnd) {
    LoopStats stats = new LoopStats();
    stats.windowOpen = true;
    RequestLedger ledger = new RequestLedger(maxInFlight, stats);
    long start = 5 * SECOND;
    ledger.startOpen(new OpenLoopSchedule(start, OpenLoopSchedule.intervalNanos(rate, 1), start + duration));
    PriorityQueue<long[]> responses = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    long[] clock = {start};
    RequestLedger.Wire server = id -> {
      long answer = clock[0] + MS;
      if (stallStart >= 0 && clock[0] - start >= stallStart && clock[0] - start < stallEnd) {
        answer = start + stallEnd + MS;
      }
      responses.add(new long[] {answer, id});
    };
    while (true) {
      ledger.sendDue(clock[0], server);
      long next = Long.MAX_VALUE;
      if (!responses.isEmpty()) {
        next = responses.peek()[0];
      }
      if (ledger.wantsTimer()) {
        next = Math.min(next, ledger.nextDue());
      }
      if (next == Long.MAX_VALUE) {
        break;
      }
      clock[0] = Math.max(clock[0], next);
      while (!responses.isEmpty() && responses.peek()[0] <= clock[0]) {
        ledger.onResponse(responses.poll()[1], true, clock[0]);
      }
    }
    assertThat(ledger.outstanding()).isZero();
    return stats;
  }
}
