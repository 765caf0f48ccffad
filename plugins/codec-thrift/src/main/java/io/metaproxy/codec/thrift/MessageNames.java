package io.metaproxy.codec.thrift;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Turns a message name's bytes into its {@link Name} (method, service, operation), remembering the names a connection
 * uses so that a steady stream of calls to the same few methods decodes without creating a String per message.
 *
 * <p>A small direct-mapped cache keyed by the name's bytes: a hit compares bytes and allocates nothing; a miss
 * decodes the name and replaces the slot. Names longer than {@link #MAX_CACHED_LENGTH} bytes are decoded every time.
 * One instance per codec; not thread-safe.
 */
final class MessageNames {

  /** The separator {@code TMultiplexedProtocol} puts between the service and the method name. */
  static final char SEPARATOR = ':';

  static final int MAX_CACHED_LENGTH = 128;
  private static final int SLOTS = 32; // a power of two

  /** A decoded message name. */
  static final class Name {
    final byte[] utf8;
    /** The method name: the part after the first {@code ':'}, or the whole name. */
    final String method;
    /** The multiplexed service name, the part before the first {@code ':'}; null when the name has none. */
    final String service;
    /** {@code service/method}, or {@code method}. */
    final String operation;

    Name(byte[] utf8) {
      this.utf8 = utf8;
      String name = new String(utf8, StandardCharsets.UTF_8);
      // TMultiplexedProcessor splits at the first separator, so a method name may itself contain one
      int separator = name.indexOf(SEPARATOR);
      if (separator < 0) {
        method = name;
        service = null;
        operation = name;
      } else {
        service = name.substring(0, separator);
        method = name.substring(separator + 1);
        operation = service + '/' + method;
      }
    }
  }

  private final Name[] slots = new Name[SLOTS];

  /** The name whose UTF-8 bytes are {@code buf[index, index + length)}; reads without moving the buffer's indexes. */
  Name lookup(ByteBuf buf, int index, int length) {
    if (length > MAX_CACHED_LENGTH) {
      return new Name(bytes(buf, index, length));
    }
    int hash = length;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + buf.getByte(index + i);
    }
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    Name cached = slots[slot];
    if (cached != null && sameBytes(cached.utf8, buf, index, length)) {
      return cached;
    }
    Name name = new Name(bytes(buf, index, length));
    slots[slot] = name;
    return name;
  }

  private static boolean sameBytes(byte[] utf8, ByteBuf buf, int index, int length) {
    if (utf8.length != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (utf8[i] != buf.getByte(index + i)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(ByteBuf buf, int index, int length) {
    byte[] utf8 = new byte[length];
    buf.getBytes(index, utf8);
    return utf8;
  }
}
