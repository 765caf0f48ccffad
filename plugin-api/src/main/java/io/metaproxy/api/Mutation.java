package io.metaproxy.api;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The changes filters and routes want made to one message's key/values: keys to set and keys to remove, in the
 * order they were asked for (a later change to the same key replaces the earlier one). The codec applies them in
 * {@link Codec#encode}: for most protocols that means the request or response header map (Dubbo attachments, Bolt
 * headers, ...). An empty Mutation lets the host forward the original bytes untouched.
 *
 * <p>Not thread-safe: a message lives on one event loop.
 */
public final class Mutation {
  private String[] pairs = new String[8];
  private int pairCount;

  /** Sets {@code key} to {@code value} on the wire. */
  public void set(String key, String value) {
    Objects.requireNonNull(value, "value");
    record(key, value);
  }

  /** Removes {@code key} from the wire (a no-op where the frame does not carry it). */
  public void remove(String key) {
    record(key, null);
  }

  /** Whether nothing is to change. */
  public boolean isEmpty() {
    return pairCount == 0;
  }

  /** How many keys change. */
  public int size() {
    return pairCount;
  }

  /** Whether this Mutation sets or removes {@code key}. */
  public boolean touches(String key) {
    return indexOf(key) >= 0;
  }

  /** The value {@code key} is set to, or null when the key is removed or untouched; see {@link #touches}. */
  public String get(String key) {
    int index = indexOf(key);
    return index < 0 ? null : pairs[index + 1];
  }

  /**
   * Calls {@code action} with every change in order: a key and its new value, or a key and {@code null} for a
   * removal. Allocates nothing.
   */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < pairCount; i++) {
      action.accept(pairs[i * 2], pairs[i * 2 + 1]);
    }
  }

  /** Drops every change. */
  public void clear() {
    java.util.Arrays.fill(pairs, 0, pairCount * 2, null);
    pairCount = 0;
  }

  private void record(String key, String value) {
    Objects.requireNonNull(key, "key");
    int index = indexOf(key);
    if (index >= 0) {
      pairs[index + 1] = value;
      return;
    }
    if (pairCount * 2 == pairs.length) {
      pairs = java.util.Arrays.copyOf(pairs, pairs.length * 2);
    }
    pairs[pairCount * 2] = key;
    pairs[pairCount * 2 + 1] = value;
    pairCount++;
  }

  /**
   * Where {@code key}'s pair starts, or -1. References are compared first: keys are nearly always string constants
   * (codecs' literals, filters' literals, the interned keys script engines pass), so a lookup usually ends without
   * reading any key's characters; only then are the keys compared by content.
   */
  private int indexOf(String key) {
    int end = pairCount * 2;
    for (int i = 0; i < end; i += 2) {
      if (pairs[i] == key) {
        return i;
      }
    }
    for (int i = 0; i < end; i += 2) {
      if (pairs[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Mutation{");
    for (int i = 0; i < pairCount; i++) {
      text.append(i == 0 ? "" : " ").append(pairs[i * 2]);
      text.append(pairs[i * 2 + 1] == null ? " removed" : "=" + pairs[i * 2 + 1]);
    }
    return text.append('}').toString();
  }
}
