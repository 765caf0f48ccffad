package io.metaproxy.bench.protocol;

import java.io.ByteArrayOutputStream;

/**
 * The handful of Hessian 2.0 encodings a Dubbo request and response need: strings (compact, short and chunked forms),
 * small ints, null and untyped maps. It builds templates once per run, so it favors clarity over speed.
 *
 * <p>Hessian counts string lengths in UTF-16 units and writes each unit as UTF-8 (surrogates separately, as
 * hessian-lite does), which is what {@link #writeString} does.
 */
public final class Hessian2Writer {
  /** Longest string chunk; a longer string is split into non-final 'R' chunks and one final chunk. */
  static final int MAX_CHUNK = 0x8000;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Writes {@code value} as a Hessian string, or null when it is null. */
  public Hessian2Writer writeString(String value) {
    if (value == null) {
      return writeNull();
    }
    int offset = 0;
    int remaining = value.length();
    while (remaining > MAX_CHUNK) {
      int chunk = MAX_CHUNK;
      // a chunk must not end between the two halves of a surrogate pair
      if (Character.isHighSurrogate(value.charAt(offset + chunk - 1))) {
        chunk--;
      }
      out.write('R');
      out.write(chunk >> 8);
      out.write(chunk);
      writeUtf8(value, offset, chunk);
      offset += chunk;
      remaining -= chunk;
    }
    if (remaining <= 31) {
      out.write(remaining);
    } else if (remaining <= 1023) {
      out.write(0x30 + (remaining >> 8));
      out.write(remaining);
    } else {
      out.write('S');
      out.write(remaining >> 8);
      out.write(remaining);
    }
    writeUtf8(value, offset, remaining);
    return this;
  }

  /** Writes an int in Hessian's compact forms (only -16..47 and the general form are needed here). */
  public Hessian2Writer writeInt(int value) {
    if (value >= -16 && value <= 47) {
      out.write(0x90 + value);
    } else {
      out.write('I');
      out.write(value >> 24);
      out.write(value >> 16);
      out.write(value >> 8);
      out.write(value);
    }
    return this;
  }

  public Hessian2Writer writeNull() {
    out.write('N');
    return this;
  }

  /** Starts an untyped map ({@code java.util.HashMap} on the reading side). */
  public Hessian2Writer writeMapBegin() {
    out.write('H');
    return this;
  }

  public Hessian2Writer writeMapEnd() {
    out.write('Z');
    return this;
  }

  /** The bytes written so far. */
  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private void writeUtf8(String value, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      char ch = value.charAt(i);
      if (ch < 0x80) {
        out.write(ch);
      } else if (ch < 0x800) {
        out.write(0xc0 + (ch >> 6));
        out.write(0x80 + (ch & 0x3f));
      } else {
        out.write(0xe0 + (ch >> 12));
        out.write(0x80 + ((ch >> 6) & 0x3f));
        out.write(0x80 + (ch & 0x3f));
      }
    }
  }
}
