package io.metaproxy.host.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Consistent hashing for {@code ring_hash} (a Ketama-style ring) and {@code maglev} (Maglev's lookup table), built
 * once per snapshot; lookups allocate nothing. The same key lands on the same endpoint, and when an endpoint is added
 * or removed only its share of keys moves.
 */
final class HashRing {
  private static final int RING_POINTS_PER_ENDPOINT = 160;
  private static final int MAGLEV_TABLE_SIZE = 65537; // prime, as Maglev requires

  private final long[] ringHashes;
  private final int[] ringEndpoints;
  private final int[] maglevTable;

  private HashRing(long[] ringHashes, int[] ringEndpoints, int[] maglevTable) {
    this.ringHashes = ringHashes;
    this.ringEndpoints = ringEndpoints;
    this.maglevTable = maglevTable;
  }

  static HashRing ring(String[] endpoints) {
    int points = endpoints.length * RING_POINTS_PER_ENDPOINT;
    long[] hashes = new long[points];
    int[] owners = new int[points];
    long[][] pairs = new long[points][2];
    int at = 0;
    for (int e = 0; e < endpoints.length; e++) {
      for (int p = 0; p < RING_POINTS_PER_ENDPOINT; p++) {
        pairs[at][0] = hash(endpoints[e] + "_" + p);
        pairs[at][1] = e;
        at++;
      }
    }
    Arrays.sort(pairs, (a, b) -> Long.compareUnsigned(a[0], b[0]));
    for (int i = 0; i < points; i++) {
      hashes[i] = pairs[i][0];
      owners[i] = (int) pairs[i][1];
    }
    return new HashRing(hashes, owners, null);
  }

  static HashRing maglev(String[] endpoints) {
    int n = endpoints.length;
    int[] table = new int[MAGLEV_TABLE_SIZE];
    Arrays.fill(table, -1);
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int e = 0; e < n; e++) {
      long h = hash(endpoints[e]);
      offset[e] = Long.remainderUnsigned(h, MAGLEV_TABLE_SIZE);
      skip[e] = Long.remainderUnsigned(h >>> 17 ^ h * 0x9E3779B97F4A7C15L, MAGLEV_TABLE_SIZE - 1) + 1;
    }
    int filled = 0;
    while (filled < MAGLEV_TABLE_SIZE) {
      for (int e = 0; e < n && filled < MAGLEV_TABLE_SIZE; e++) {
        int slot = (int) ((offset[e] + next[e] * skip[e]) % MAGLEV_TABLE_SIZE);
        while (table[slot] >= 0) {
          next[e]++;
          slot = (int) ((offset[e] + next[e] * skip[e]) % MAGLEV_TABLE_SIZE);
        }
        table[slot] = e;
        next[e]++;
        filled++;
      }
    }
    return new HashRing(null, null, table);
  }

  /** The endpoint for {@code keyHash}. */
  int pick(long keyHash) {
    if (maglevTable != null) {
      return maglevTable[(int) Long.remainderUnsigned(keyHash, MAGLEV_TABLE_SIZE)];
    }
    int low = 0;
    int high = ringHashes.length - 1;
    if (Long.compareUnsigned(keyHash, ringHashes[high]) > 0) {
      return ringEndpoints[0]; // past the last point: wrap to the first
    }
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (Long.compareUnsigned(ringHashes[mid], keyHash) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return ringEndpoints[low];
  }

  /** 64-bit FNV-1a, then a murmur finalizer so near-identical names spread over the whole range. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** Folds one more string into a running FNV-1a hash without allocating (hashes UTF-16 units). */
  static long fold(long h, String text) {
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h * 0x100000001b3L;
  }

  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The starting value for {@link #fold}. */
  static long seed() {
    return 0xcbf29ce484222325L;
  }
}
