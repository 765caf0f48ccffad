package io.metaproxy.codec.bolt;

import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Bolt's header map in the encoding SOFA RPC's {@code SimpleMapSerializer} writes: entries back to back, each a key
 * and a value, each a big-endian int32 byte length followed by that many UTF-8 bytes. A length of -1 stands for null
 * (SOFA skips such entries); 0 is the empty string. The header block's own length comes from the frame's headerLen.
 *
 * <p>Bolt lets applications plug in other header serializers; a block that does not parse as this map is treated as
 * opaque: it exposes no keys and is forwarded byte for byte.
 */
final class BoltHeaders {
  private static final int LENGTH_FIELD = 4;

  private BoltHeaders() {}

  /** Whether {@code length} bytes at {@code start} are a well-formed string map (reads lengths only). */
  static boolean isStringMap(ByteBuf frame, int start, int length) {
    int end = start + length;
    int index = start;
    int strings = 0;
    while (index < end) {
      if (end - index < LENGTH_FIELD) {
        return false;
      }
      int size = frame.getInt(index);
      index += LENGTH_FIELD;
      if (size > end - index || size < -1) {
        return false;
      }
      index += Math.max(size, 0);
      strings++;
    }
    return strings % 2 == 0; // a key without a value is not a map
  }

  /**
   * Puts every entry of a well-formed map (see {@link #isStringMap}) into {@code metadata}, skipping entries with a
   * null key or value as SOFA does.
   */
  static void read(ByteBuf frame, int start, int length, Metadata metadata) {
    int end = start + length;
    int index = start;
    while (index < end) {
      int keySize = frame.getInt(index);
      String key = keySize < 0 ? null : frame.toString(index + LENGTH_FIELD, keySize, StandardCharsets.UTF_8);
      index += LENGTH_FIELD + Math.max(keySize, 0);
      int valueSize = frame.getInt(index);
      String value = valueSize < 0 ? null : frame.toString(index + LENGTH_FIELD, valueSize, StandardCharsets.UTF_8);
      index += LENGTH_FIELD + Math.max(valueSize, 0);
      if (key != null && value != null) {
        metadata.put(key, value);
      }
    }
  }

  /**
   * Writes the header block of a frame with {@code mutation} applied and returns its length in bytes: the frame's
   * entries that the mutation does not touch, byte for byte and in order, then every key the mutation sets. (A key
   * that is replaced moves to the end; the map has no meaningful order.) An opaque block is copied unchanged.
   */
  static int rewrite(ByteBuf frame, int start, int length, Mutation mutation, ByteBuf out) {
    int outStart = out.writerIndex();
    if (!isStringMap(frame, start, length)) {
      out.writeBytes(frame, start, length);
      return length;
    }
    int end = start + length;
    int index = start;
    while (index < end) {
      int entryStart = index;
      int keySize = frame.getInt(index);
      String key = keySize < 0 ? null : frame.toString(index + LENGTH_FIELD, keySize, StandardCharsets.UTF_8);
      index += LENGTH_FIELD + Math.max(keySize, 0);
      index += LENGTH_FIELD + Math.max(frame.getInt(index), 0);
      if (key == null || !mutation.touches(key)) {
        out.writeBytes(frame, entryStart, index - entryStart);
      }
    }
    mutation.forEach((key, value) -> {
      if (value != null) {
        writeString(out, key);
        writeString(out, value);
      }
    });
    return out.writerIndex() - outStart;
  }

  private static void writeString(ByteBuf out, String text) {
    int lengthAt = out.writerIndex();
    out.writeInt(0);
    int size = out.writeCharSequence(text, StandardCharsets.UTF_8);
    out.setInt(lengthAt, size);
  }
}
