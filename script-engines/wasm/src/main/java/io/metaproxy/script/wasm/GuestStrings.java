package io.metaproxy.script.wasm;

import com.dylibso.chicory.runtime.Memory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One filter's UTF-8 strings from and to its module's linear memory, made cheap for what host functions do on every
 * message: read the same few keys, which a guest passes as pointers to constants in its data segment, and hand back
 * short values.
 *
 * <p>A short string is looked up in a small cache by its (pointer, length); a hit is confirmed by comparing the cached
 * bytes with the guest's memory, so it holds whatever the guest did to its memory meanwhile (and whichever instance
 * the memory belongs to), and costs no allocation and no decoding. A miss decodes the bytes as {@link
 * Memory#readString} does (malformed UTF-8 becomes U+FFFD) and caches them. Pointers and lengths are checked against
 * the memory's size first, exactly as {@link GuestMemory#string} does.
 *
 * <p>Keys ({@link #readKey}) come back interned, so the Metadata finds them by reference, as it finds a codec's
 * literal keys, without comparing characters. Interning happens once per cached slot; values are never interned
 * (they can be anything the traffic carries).
 *
 * <p>The other way, host to guest: a value that is short ASCII text (as metadata values mostly are) is written through
 * a scratch buffer this object reuses, not a byte array encoded for each value ({@link #utf8Length}, {@link
 * #writeUtf8}); anything else is encoded with {@link String#getBytes}.
 *
 * <p>Not thread-safe: one filter, one event loop.
 */
final class GuestStrings {
  /** Strings longer than this are decoded every time: the cache is for keys and short values. */
  static final int MAX_CACHED_BYTES = 64;

  /**
   * Values longer than this are encoded with {@link String#getBytes}: a check char by char, then a copy, costs more
   * than its intrinsic there, and the array it allocates is small next to the copy.
   */
  static final int MAX_SCRATCH_CHARS = 256;

  private static final int SLOT_BITS = 5;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int[] pointers = new int[1 << SLOT_BITS];
  private final byte[][] contents = new byte[1 << SLOT_BITS][];
  private final String[] strings = new String[1 << SLOT_BITS];
  /** Whether {@link #strings}' entry is the interned instance. */
  private final boolean[] interned = new boolean[1 << SLOT_BITS];
  /** For contents shorter than 8 bytes: the bytes as a little-endian long, to compare with one 8-byte load. */
  private final long[] shortWords = new long[1 << SLOT_BITS];

  private final byte[] scratch = new byte[MAX_SCRATCH_CHARS];

  /**
   * The UTF-8 string at {@code ptr}/{@code len}, argument {@code position} of {@code operation}.
   *
   * @throws IllegalArgumentException as {@link GuestMemory#string}: for a negative length (the ABI's "no value") or
   *     a range outside memory
   */
  String read(Memory memory, long ptr, long len, String operation, int position) {
    return read(memory, ptr, len, operation, position, false);
  }

  /** As {@link #read}, for a key: the JVM's interned instance of the string. */
  String readKey(Memory memory, long ptr, long len, String operation, int position) {
    return read(memory, ptr, len, operation, position, true);
  }

  private String read(Memory memory, long ptr, long len, String operation, int position, boolean key) {
    int length = (int) len;
    if (length <= 0 || length > MAX_CACHED_BYTES) {
      // no value, empty, or too long to cache: read (and check) as every host function did before this cache
      return GuestMemory.string(memory, ptr, len, operation, position);
    }
    GuestMemory.checkString(memory, ptr, len, operation, position);
    int address = (int) ptr;
    int slot = (address * 0x9E3779B9 + length) >>> (Integer.SIZE - SLOT_BITS);
    byte[] cached = contents[slot];
    if (cached != null
        && pointers[slot] == address
        && cached.length == length
        && matches(memory, address, cached, shortWords[slot])) {
      if (key && !interned[slot]) {
        strings[slot] = strings[slot].intern();
        interned[slot] = true;
      }
      return strings[slot];
    }
    byte[] bytes = memory.readBytes(address, length);
    String value = new String(bytes, StandardCharsets.UTF_8);
    if (key) {
      value = value.intern();
    }
    long shortWord = 0;
    for (int i = Math.min(length, Long.BYTES) - 1; i >= 0; i--) {
      shortWord = shortWord << Byte.SIZE | (bytes[i] & 0xFF);
    }
    pointers[slot] = address;
    contents[slot] = bytes;
    strings[slot] = value;
    interned[slot] = key;
    shortWords[slot] = shortWord;
    return value;
  }

  /**
   * The length of {@code value} in UTF-8, exactly as {@link String#getBytes} encodes it: a surrogate pair is 4 bytes, a
   * lone surrogate 1 (getBytes writes '?' for it). Counted without encoding, so that a value that does not fit the
   * guest's buffer, or for which the guest must first allocate, costs no array.
   */
  static int utf8Length(String value) {
    int chars = value.length();
    int bytes = chars;
    for (int i = 0; i < chars; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (!Character.isSurrogate(c)) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(value.charAt(i + 1))) {
        bytes += 2; // two chars, four bytes
        i++;
      } // a lone surrogate: one byte, as counted
    }
    return bytes;
  }

  /**
   * Writes {@code value} as UTF-8 at {@code ptr}; {@code length} is its {@link #utf8Length}. Checked as {@link
   * GuestMemory#write} checks. Short ASCII text (one byte per char, up to {@link #MAX_SCRATCH_CHARS}), what metadata
   * values mostly are, goes through the scratch buffer; anything else is encoded with {@link String#getBytes}. The
   * buffer is filled and copied out within this call, so a host function that calls the guest (the allocator) before
   * it cannot find it half-written.
   */
  void writeUtf8(Memory memory, long ptr, String value, int length, String operation, int position) {
    if (length == value.length() && length <= MAX_SCRATCH_CHARS) {
      byte[] bytes = scratch;
      int i = 0;
      while (i < length && value.charAt(i) < 0x80) {
        bytes[i] = (byte) value.charAt(i);
        i++;
      }
      if (i == length) {
        GuestMemory.write(memory, ptr, bytes, length, operation, position);
        return;
      }
      // as many bytes as chars, yet not ASCII: lone surrogates, which getBytes encodes
    }
    GuestMemory.write(memory, ptr, value.getBytes(StandardCharsets.UTF_8), operation, position);
  }

  /**
   * Whether the guest's memory at {@code address} holds {@code expected} (the range is known to be inside), compared 8
   * bytes at a time: the last word overlaps the one before it, and content shorter than 8 bytes is one masked load
   * ({@code shortWord}) unless it ends less than 8 bytes before the end of memory.
   */
  private static boolean matches(Memory memory, int address, byte[] expected, long shortWord) {
    int n = expected.length;
    if (n >= Long.BYTES) {
      for (int i = 0; i + Long.BYTES < n; i += Long.BYTES) {
        if (memory.readLong(address + i) != (long) LONGS.get(expected, i)) {
          return false;
        }
      }
      return memory.readLong(address + n - Long.BYTES) == (long) LONGS.get(expected, n - Long.BYTES);
    }
    if (Integer.toUnsignedLong(address) + Long.BYTES <= (long) memory.pages() * Memory.PAGE_SIZE) {
      long mask = -1L >>> (Long.SIZE - Byte.SIZE * n);
      return (memory.readLong(address) & mask) == shortWord;
    }
    for (int i = 0; i < n; i++) {
      if (memory.read(address + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
