package io.metaproxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metadata and Mutation find a key by reference first and by content second: both must give the same answers
 * whichever instance of an equal string the caller holds.
 */
class KeyLookupTest {
  /** An equal string that is not the same instance as the literal. */
  private static String copyOf(String text) {
    return new String(text.toCharArray());
  }

  @Test
  void metadataFindsKeysByReferenceAndByContent() {
    Metadata metadata = new Metadata();
    metadata.put("interface", "org.example.GreetingService");
    String decodedKey = copyOf("x-user"); // as a codec decodes an unknown attachment key: a fresh instance
    metadata.put(decodedKey, "alice");
    metadata.put("method", "sayHello");

    assertEquals("sayHello", metadata.get("method"));
    assertEquals("sayHello", metadata.get(copyOf("method")));
    assertEquals("alice", metadata.get("x-user"));
    assertEquals("alice", metadata.get(decodedKey));
    assertNull(metadata.get("x-absent"));
    assertNull(metadata.get(copyOf("interfac")));

    metadata.put(copyOf("interface"), "org.example.Other");
    assertEquals(3, metadata.size(), "an equal key replaces the value; it does not add a pair");
    assertEquals("org.example.Other", metadata.get("interface"));

    assertTrue(metadata.remove(copyOf("x-user")));
    assertFalse(metadata.contains("x-user"));
    assertEquals("sayHello", metadata.get("method"));
  }

  @Test
  void keysAreAReadOnlyViewInInsertionOrder() {
    Metadata metadata = new Metadata();
    metadata.put("method", "sayHello");
    metadata.put("interface", "org.example.GreetingService");
    List<String> keys = metadata.keys();
    assertEquals(List.of("method", "interface"), keys);
    assertThrows(UnsupportedOperationException.class, () -> keys.add("x"));
    assertThrows(UnsupportedOperationException.class, () -> keys.set(0, "x"));
    assertThrows(IndexOutOfBoundsException.class, () -> keys.get(2));
    for (int i = 0; i < 20; i++) {
      metadata.put("k" + i, "v"); // past the initial room: the pairs array is replaced
    }
    assertEquals(22, keys.size());
    assertEquals("k19", keys.get(21));
    metadata.remove("method");
    assertEquals("interface", keys.get(0));
  }

  @Test
  void mutationFindsKeysByReferenceAndByContent() {
    Mutation mutation = new Mutation();
    mutation.set("x-engine", "lua");
    mutation.set(copyOf("x-route"), "canary");
    mutation.remove("x-token");

    assertTrue(mutation.touches(copyOf("x-engine")));
    assertEquals("lua", mutation.get(copyOf("x-engine")));
    assertEquals("canary", mutation.get("x-route"));
    assertTrue(mutation.touches(copyOf("x-token")));
    assertNull(mutation.get("x-token"), "a removal reads as no value");
    assertFalse(mutation.touches("x-other"));

    mutation.set(copyOf("x-engine"), "wasm");
    assertEquals(3, mutation.size(), "an equal key replaces the change; it does not add one");
    assertEquals("wasm", mutation.get("x-engine"));
  }
}
