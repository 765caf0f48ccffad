package io.metaproxy.script.wasm;

import com.dylibso.chicory.runtime.Memory;
import io.metaproxy.script.ScriptContext;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes a module's linear memory for host functions, with every pointer and length checked against the
 * memory's size, so a bad pointer from a guest is a clear script error rather than an exception from deep inside
 * Chicory. Pointers and lengths arrive as WASM i32 (in a long); they are treated as unsigned.
 */
final class GuestMemory {
  private GuestMemory() {}

  /** An i32 argument as an unsigned 32-bit value. */
  static long unsigned(long i32) {
    return i32 & 0xFFFF_FFFFL;
  }

  /**
   * The UTF-8 string at {@code ptr}/{@code len}, argument {@code position} of {@code operation}.
   *
   * @throws IllegalArgumentException {@code bad argument #2 to 'set' (string expected, got ...)} for a negative
   *     length (the ABI's "no value") or a range outside memory
   */
  static String string(Memory memory, long ptr, long len, String operation, int position) {
    checkString(memory, ptr, len, operation, position);
    return len == 0 ? "" : memory.readString((int) ptr, (int) len, StandardCharsets.UTF_8);
  }

  /** Checks a string argument as {@link #string} does, without reading it. */
  static void checkString(Memory memory, long ptr, long len, String operation, int position) {
    if ((int) len < 0) {
      throw ScriptContext.badArgument(operation, position, "string", "no value (length " + (int) len + ")");
    }
    checkRange(memory, ptr, len, operation, position);
  }

  /** The bytes at {@code ptr}/{@code len}, checked like {@link #string}. */
  static byte[] bytes(Memory memory, long ptr, long len, String operation, int position) {
    checkRange(memory, ptr, unsigned(len), operation, position);
    return memory.readBytes((int) ptr, (int) len);
  }

  /** Writes {@code bytes} at {@code ptr}. */
  static void write(Memory memory, long ptr, byte[] bytes, String operation, int position) {
    write(memory, ptr, bytes, bytes.length, operation, position);
  }

  /** Writes the first {@code length} of {@code bytes} at {@code ptr}. */
  static void write(Memory memory, long ptr, byte[] bytes, int length, String operation, int position) {
    checkRange(memory, ptr, length, operation, position);
    memory.write((int) ptr, bytes, 0, length);
  }

  /** Writes a little-endian u32 at {@code ptr} (a result pointer of a host function). */
  static void writeU32(Memory memory, long ptr, long value, String operation, int position) {
    checkRange(memory, ptr, 4, operation, position);
    memory.writeI32((int) ptr, (int) value);
  }

  /** Writes a little-endian u64 at {@code ptr}. */
  static void writeU64(Memory memory, long ptr, long value, String operation, int position) {
    checkRange(memory, ptr, 8, operation, position);
    memory.writeLong((int) ptr, value);
  }

  static void checkRange(Memory memory, long ptr, long len, String operation, int position) {
    long start = unsigned(ptr);
    long size = (long) memory.pages() * Memory.PAGE_SIZE;
    if (start + unsigned(len) > size) {
      throw ScriptContext.badArgument(
          operation,
          position,
          "memory range",
          "[" + start + ", " + (start + unsigned(len)) + ") outside the " + size + " bytes of linear memory");
    }
  }
}
