package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The live-context set against a {@code LinkedHashSet<Integer>}, which it replaces: same answers, same order. */
class LiveContextsTest {

  @Test
  void behavesLikeAnInsertionOrderedSetThroughGrowthTombstonesAndEviction() {
    LiveContexts live = new LiveContexts();
    LinkedHashSet<Integer> expected = new LinkedHashSet<>();
    Random random = new Random(7);
    int next = 2;
    for (int step = 0; step < 200_000; step++) {
      int choice = random.nextInt(10);
      if (choice < 5 || expected.isEmpty()) {
        live.add(next);
        expected.add(next);
        next++;
      } else if (choice < 8) {
        // a response: usually a recent request's, sometimes one that is not live (any more)
        int id = next - 1 - random.nextInt(Math.min(next - 2, 600) + 1);
        assertThat(live.remove(id)).as("remove %d", id).isEqualTo(expected.remove(id));
      } else if (choice < 9) {
        int oldest = live.oldest();
        assertThat(oldest).isEqualTo(expected.iterator().next());
        live.remove(oldest);
        expected.remove(oldest);
      } else {
        int id = random.nextInt(next + 10);
        assertThat(live.contains(id)).as("contains %d", id).isEqualTo(expected.contains(id));
      }
      assertThat(live.size()).isEqualTo(expected.size());
    }
    List<Integer> order = new ArrayList<>();
    while (live.size() > 0) {
      int oldest = live.oldest();
      order.add(oldest);
      live.remove(oldest);
    }
    assertThat(order).containsExactlyElementsOf(expected);
    assertThat(live.oldest()).isEqualTo(-1);
  }

  /**
   * The steady state of a proxy-wasm filter: a few requests in flight, each context removed soon after it was added,
   * so tombstones fill the table every few dozen requests. Rebuilding it must not allocate: the old rebuild made three
   * new arrays each time (megabytes over this loop).
   */
  @Test
  void aSteadyStreamOfShortLivedContextsAllocatesNothingOnceWarm() {
    LiveContexts live = new LiveContexts();
    int next = 2;
    for (; next < 100_000; next++) { // warm-up: the JIT's first compilations, the table at its steady size
      live.add(next);
      if (next >= 5) {
        live.remove(next - 3);
      }
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int end = next + 200_000; next < end; next++) {
      live.add(next);
      live.remove(next - 3);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(live.size()).isEqualTo(3);
    assertThat(live.oldest()).isEqualTo(next - 3);
    assertThat(allocated).as("bytes allocated by 200000 adds and removes").isLessThan(16 * 1024);
  }

  @Test
  void clearForgetsEverything() {
    LiveContexts live = new LiveContexts();
    for (int id = 2; id < 1000; id++) {
      live.add(id);
    }
    live.clear();
    assertThat(live.size()).isZero();
    assertThat(live.contains(500)).isFalse();
    assertThat(live.oldest()).isEqualTo(-1);
    live.add(5000);
    assertThat(live.oldest()).isEqualTo(5000);
    assertThat(live.contains(5000)).isTrue();
  }
}
