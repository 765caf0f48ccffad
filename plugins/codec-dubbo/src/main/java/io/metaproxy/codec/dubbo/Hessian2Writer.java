package io.metaproxy.codec.dubbo;

import io.netty.buffer.ByteBuf;

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

  /** Hessian's UTF-8: every char on its own, so a surrogate takes three bytes, as Hessian2Output writes it. */
  private static void writeChars(ByteBuf out, String value, int offset, int count) {
    for (int i = offset, end = offset + count; i < end; i++) {
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
}
