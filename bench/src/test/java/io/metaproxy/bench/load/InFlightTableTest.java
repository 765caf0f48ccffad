package io.metaproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightTableTest {
  @Test
  void capacityIsAPowerOfTwoOfAtLeastTwiceTheCap() {
    assertThat(new InFlightTable(1).capacity()).isEqualTo(16);
    assertThat(new InFlightTable(1024).capacity()).isEqualTo(2048);
    assertThat(new InFlightTable(1000).capacity()).isEqualTo(2048);
    assertThat(new InFlightTable(1025).capacity()).isEqualTo(4096);
  }

  @Test
  void findsAndFreesById() {
    InFlightTable table = new InFlightTable(8);
    for (long id = 1; id <= 5; id++) {
      assertThat(table.put(id, id * 10, id * 10 + 1)).isFalse();
    }
    assertThat(table.size()).isEqualTo(5);
    int slot = table.find(3);
    assertThat(table.intendedAt(slot)).isEqualTo(30);
    assertThat(table.sentAt(slot)).isEqualTo(31);
    table.free(slot);
    assertThat(table.find(3)).isEqualTo(-1);
    assertThat(table.find(3 + table.capacity())).as("same slot, other id").isEqualTo(-1);
    assertThat(table.find(99)).isEqualTo(-1);
    assertThat(table.size()).isEqualTo(4);
  }

  @Test
  void aRequestOutstandingForAWholeTurnIsEvicted() {
    InFlightTable table = new InFlightTable(8);
    table.put(1, 0, 0);
    long sameSlot = 1 + table.capacity();
    assertThat(table.put(sameSlot, 5, 5)).isTrue();
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.find(1)).isEqualTo(-1);
    assertThat(table.find(sameSlot)).isNotNegative();
  }

  @Test
  void expiresWhatWasSentBeforeTheDeadline() {
    InFlightTable table = new InFlightTable(8);
    table.put(1, 0, 100);
    table.put(2, 0, 200);
    table.put(3, 0, 300);
    assertThat(table.expireSentBefore(250)).isEqualTo(2);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.find(3)).isNotNegative();
    table.clear();
    assertThat(table.size()).isZero();
    assertThat(table.find(3)).isEqualTo(-1);
  }
}
