package io.metaproxy.script.wasm;

import java.util.Arrays;

/**
 * The ids of a proxy-wasm filter's live request contexts, in creation order: what a {@code LinkedHashSet<Integer>}
 * does, without boxing an id or allocating a node per request. An open-addressing table of ids (removed ones leave a
 * tombstone until the next resize), whose slots are also linked in creation order, so the oldest is found at once.
 *
 * <p>Ids are positive and never {@value #FREE} or {@value #REMOVED}. Not thread-safe: one filter, one event loop.
 */
final class LiveContexts {
  private static final int FREE = 0;
  private static final int REMOVED = -1;
  private static final int NONE = -1;
  private static final int INITIAL_CAPACITY = 64;

  private int[] ids = new int[INITIAL_CAPACITY];
  private int[] older = new int[INITIAL_CAPACITY];
  private int[] newer = new int[INITIAL_CAPACITY];
  /** Where {@link #resize} keeps the live ids while it rebuilds (at most half the table's slots are ever used). */
  private int[] rebuild = new int[INITIAL_CAPACITY / 4];
  private int oldest = NONE;
  private int newest = NONE;
  private int size;
  /** Slots not FREE: live ids and tombstones. */
  private int used;

  int size() {
    return size;
  }

  boolean contains(int id) {
    return slotOf(id) >= 0;
  }

  /** The oldest live id, or -1 when there is none. */
  int oldest() {
    return oldest == NONE ? -1 : ids[oldest];
  }

  /** Adds {@code id}, which must not be live, as the newest. */
  void add(int id) {
    if ((used + 1) * 2 > ids.length) {
      resize();
    }
    int mask = ids.length - 1;
    int slot = hash(id) & mask;
    while (ids[slot] != FREE && ids[slot] != REMOVED) {
      slot = (slot + 1) & mask;
    }
    if (ids[slot] == FREE) {
      used++;
    }
    ids[slot] = id;
    older[slot] = newest;
    newer[slot] = NONE;
    if (newest == NONE) {
      oldest = slot;
    } else {
      newer[newest] = slot;
    }
    newest = slot;
    size++;
  }

  /** Removes {@code id}; returns whether it was live. */
  boolean remove(int id) {
    int slot = slotOf(id);
    if (slot < 0) {
      return false;
    }
    int before = older[slot];
    int after = newer[slot];
    if (before == NONE) {
      oldest = after;
    } else {
      newer[before] = after;
    }
    if (after == NONE) {
      newest = before;
    } else {
      older[after] = before;
    }
    ids[slot] = REMOVED;
    size--;
    return true;
  }

  void clear() {
    Arrays.fill(ids, FREE);
    oldest = NONE;
    newest = NONE;
    size = 0;
    used = 0;
  }

  private int slotOf(int id) {
    if (id == FREE || id == REMOVED) {
      return -1;
    }
    int mask = ids.length - 1;
    int slot = hash(id) & mask;
    while (true) {
      int present = ids[slot];
      if (present == id) {
        return slot;
      }
      if (present == FREE) {
        return -1;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Rebuilds the table without tombstones, at least four times the live ids, keeping the creation order. When that
   * capacity is the current one (the steady state: a few live ids, tombstones filling the table every few dozen
   * requests), the table is rebuilt in place, so a filter's requests allocate nothing here once it has warmed up.
   */
  private void resize() {
    int capacity = INITIAL_CAPACITY;
    while (capacity < (size + 1) * 4) {
      capacity <<= 1;
    }
    int[] live = liveInOrder();
    int count = size;
    if (capacity == ids.length) {
      Arrays.fill(ids, FREE); // older and newer need no clearing: add writes both for every slot it takes
    } else {
      ids = new int[capacity];
      older = new int[capacity];
      newer = new int[capacity];
    }
    oldest = NONE;
    newest = NONE;
    size = 0;
    used = 0;
    for (int i = 0; i < count; i++) {
      add(live[i]);
    }
  }

  /** The live ids, oldest first, in {@link #rebuild} (whose first {@link #size} entries hold them). */
  private int[] liveInOrder() {
    if (rebuild.length < size) {
      rebuild = new int[ids.length / 2];
    }
    int i = 0;
    for (int slot = oldest; slot != NONE; slot = newer[slot]) {
      rebuild[i++] = ids[slot];
    }
    return rebuild;
  }

  private static int hash(int id) {
    int h = id * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
