package io.metaproxy.bench.load;

/**
 * The requests of one connection that await their response, by request id: a ring of parallel arrays indexed by the
 * id's low bits. A connection's ids are sequential and it keeps at most half the ring in flight, so a slot is only
 * found occupied when its previous request has been outstanding for a whole turn of the ring: that request is then
 * evicted and counted as lost. Allocates nothing after construction.
 */
final class InFlightTable {
  private static final long EMPTY = Long.MIN_VALUE;

  private final long[] ids;
  private final long[] intended;
  private final long[] sent;
  private final int mask;
  private int size;

  /** A table for up to {@code maxInFlight} outstanding requests. */
  InFlightTable(int maxInFlight) {
    int wanted = Math.max(16, maxInFlight * 2);
    int capacity = Integer.bitCount(wanted) == 1 ? wanted : Integer.highestOneBit(wanted) << 1;
    ids = new long[capacity];
    intended = new long[capacity];
    sent = new long[capacity];
    mask = capacity - 1;
    java.util.Arrays.fill(ids, EMPTY);
  }

  int capacity() {
    return ids.length;
  }

  int size() {
    return size;
  }

  /**
   * Records a request sent at {@code sentAt} that was meant to go at {@code intendedAt}.
   *
   * @return whether an older unanswered request had to be evicted to make room
   */
  boolean put(long id, long intendedAt, long sentAt) {
    int slot = (int) id & mask;
    boolean evicted = ids[slot] != EMPTY;
    if (!evicted) {
      size++;
    }
    ids[slot] = id;
    intended[slot] = intendedAt;
    sent[slot] = sentAt;
    return evicted;
  }

  /** The slot of request {@code id}, or -1 when it is not outstanding (unknown, already answered, or evicted). */
  int find(long id) {
    int slot = (int) id & mask;
    return ids[slot] == id ? slot : -1;
  }

  long intendedAt(int slot) {
    return intended[slot];
  }

  long sentAt(int slot) {
    return sent[slot];
  }

  void free(int slot) {
    ids[slot] = EMPTY;
    size--;
  }

  /** Drops every request sent before {@code deadline}; returns how many. */
  int expireSentBefore(long deadline) {
    if (size == 0) {
      return 0;
    }
    int expired = 0;
    for (int slot = 0; slot < ids.length; slot++) {
      if (ids[slot] != EMPTY && sent[slot] - deadline < 0) {
        free(slot);
        expired++;
      }
    }
    return expired;
  }

  void clear() {
    java.util.Arrays.fill(ids, EMPTY);
    size = 0;
  }
}
