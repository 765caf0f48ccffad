package io.metaproxy.codec.dubbo;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes the few Hessian 2.0 values the codec produces itself: strings (attachment keys and values, error messages),
 * small ints (the response flag) and map delimiters. Everything else in a frame is copied from the original bytes.
 */
final class Hessian2Writer {
  /** Hessian splits longer strings into chunks of this many chars, as Hessian2Output does. */
  private static final int CHUNK_CHARS = 0x8000;

  private Hessian2Writer() {}

  /** Writes {@code value} (0 to 47, such as Dubbo's response flags) as a one-byte compact int. */
  static void writeCompactInt(ByteBuf out, int value) {
    if (value < -0x10 || value > 0x2f) {
      throw new IllegalArgumentException("not a one-byte compact int: " + value);
    }
    out.writeByte(0x90 + value);
  }

  /** Writes a string: compact forms up to 1023 chars, 'R' chunks and a final 'S' chunk beyond. */
  static void writeString(ByteBuf out, String value) {
    int length = value.length();
    int offset = 0;
    while (length - offset > CHUNK_CHARS) {
      int chunk = CHUNK_CHARS;
      // keep a surrogate pair within one chunk
      if (Character.isHighSurrogate(value.charAt(offset + chunk - 1))) {
        chunk--;
      }
      out.writeByte('R');
      out.writeShort(chunk);
      writeChars(out, value, offset, chunk);
      offset += chunk;
    }
    int rest = length - offset;
    if (rest <= 0x1f) {
      out.writeByte(rest);
    } else if (rest <= 0x3ff) {
      out.writeByte(0x30 + (rest >> 8));
      out.writeByte(rest & 0xff);
    } else {
      out.writeByte('S');
      out.writeShort(rest);
    }
    writeChars(out, value, offset, rest);
  }

  /**
   * Hessian's UTF-8: every char on its own, so a surrogate takes three bytes, as Hessian2Output writes it.
   *
   * <p>Attachment keys and values are nearly always ASCII, and this runs for every entry a filter adds to every
   * request: an ASCII run is written by {@link ByteBuf#writeCharSequence} after one capacity check, where a write per
   * byte would check the buffer's capacity and reference count once per byte (the larger part of a mutated request's
   * encode, in a profile of the proxy under load).
   */
  private static void writeChars(ByteBuf out, String value, int offset, int count) {
    int end = offset + count;
    if (isAscii(value, offset, end)) {
      out.writeCharSequence(offset == 0 && end == value.length() ? value : value.subSequence(offset, end),
          StandardCharsets.US_ASCII);
      return;
    }
    for (int i = offset; i < end; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        out.writeByte(c);
      } else if (c < 0x800) {
        out.writeByte(0xc0 | (c >> 6));
        out.writeByte(0x80 | (c & 0x3f));
      } else {
        out.writeByte(0xe0 | (c >> 12));
        out.writeByte(0x80 | ((c >> 6) & 0x3f));
        out.writeByte(0x80 | (c & 0x3f));
      }
    }
  }

  private static boolean isAscii(String value, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
