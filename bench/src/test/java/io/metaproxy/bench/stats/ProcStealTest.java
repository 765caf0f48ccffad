package io.metaproxy.bench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ProcStealTest {
  @Test
  void sumsTheFirstEightColumnsAndKeepsSteal() {
    ProcSteal.Sample sample = ProcSteal.parse("cpu  100 1 20 500 2 0 7 30 11 0");
    assertEquals(100 + 1 + 20 + 500 + 2 + 7 + 30, sample.total());
    assertEquals(30, sample.steal());
  }

  @Test
  void stealFractionIsStolenOverElapsed() {
    ProcSteal.Sample before = new ProcSteal.Sample(1000, 100);
    ProcSteal.Sample after = new ProcSteal.Sample(1400, 200);
    assertEquals(0.25, after.stealFractionSince(before), 1e-9);
    assertTrue(Double.isNaN(before.stealFractionSince(before)));
  }

  @Test
  void rejectsAPerCpuLine() {
    assertThrows(IllegalArgumentException.class, () -> ProcSteal.parse("cpu0 1 2 3 4 5 6 7 8"));
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void readsThisMachine() {
    ProcSteal.Sample first = ProcSteal.sample().orElseThrow();
    assertTrue(first.total() > 0 && first.steal() >= 0 && first.steal() <= first.total(), first.toString());
  }
}
