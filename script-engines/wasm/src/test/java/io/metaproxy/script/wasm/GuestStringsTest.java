package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cache of strings read from a guest: a hit is only ever a string whose bytes are still in the guest's memory at
 * that place, at every length (the short single-load compare, whole words, the overlapping last word, uncached long
 * strings) and at the very end of memory.
 */
class GuestStringsTest {
  private final Memory memory = new ByteArrayMemory(new MemoryLimits(1, 1));
  private final GuestStrings strings = new GuestStrings();

  private String write(int address, String text) {
    memory.write(address, text.getBytes(StandardCharsets.UTF_8));
    return text;
  }

  private String read(int address, int length) {
    return strings.read(memory, address, length, "get", 1);
  }

  @Test
  void aRepeatedReadIsTheCachedStringAndAChangedByteIsSeenAtEveryLength() {
    String[] texts = {"a", "method", "x-engine", "interface", "0123456789abcdef", "0123456789abcdefg", "k".repeat(64)};
    for (String text : texts) {
      int address = 1000;
      write(address, text);
      String first = read(address, text.length());
      assertThat(first).isEqualTo(text);
      assertThat(read(address, text.length())).as("%s read again", text).isSameAs(first);
      for (int changed = 0; changed < text.length(); changed++) {
        write(address, text);
        read(address, text.length());
        memory.writeByte(address + changed, (byte) '#');
        String expected = text.substring(0, changed) + "#" + text.substring(changed + 1);
        assertThat(read(address, text.length())).as("%s with byte %d changed", text, changed).isEqualTo(expected);
      }
      write(address, text + "!");
      assertThat(read(address, text.length() + 1)).as("a longer string at the same place").isEqualTo(text + "!");
    }
  }

  @Test
  void keysAreTheInternedInstanceValuesAreNot() {
    write(3000, "sayHello");
    String value = read(3000, 8);
    assertThat(value).isEqualTo("sayHello").isNotSameAs("sayHello");
    // the same bytes read as a key: the slot's string is interned from then on
    assertThat(strings.readKey(memory, 3000, 8, "get", 1)).isSameAs("sayHello");
    assertThat(strings.readKey(memory, 3000, 8, "get", 1)).isSameAs("sayHello");
    write(3100, "x-user-id");
    assertThat(strings.readKey(memory, 3100, 9, "get", 1)).isSameAs("x-user-id");
    // a changed byte is still seen, and the new key is interned too
    memory.writeByte(3100, (byte) 'y');
    assertThat(strings.readKey(memory, 3100, 9, "get", 1)).isSameAs("y-user-id");
  }

  @Test
  void stringsLongerThanTheCacheTakesAreReadEveryTime() {
    String text = write(2000, "v".repeat(GuestStrings.MAX_CACHED_BYTES + 1));
    String first = read(2000, text.length());
    assertThat(first).isEqualTo(text);
    assertThat(read(2000, text.length())).isEqualTo(text).isNotSameAs(first);
  }

  @Test
  void aShortStringAtTheEndOfMemoryIsComparedByteByByte() {
    int end = Memory.PAGE_SIZE;
    write(end - 3, "abc");
    assertThat(read(end - 3, 3)).isEqualTo("abc");
    memory.writeByte(end - 1, (byte) 'x');
    assertThat(read(end - 3, 3)).isEqualTo("abx");
  }

  @Test
  void decodingAndArgumentChecksAreThoseOfGuestMemory() {
    memory.write(3000, new byte[] {'o', 'k', (byte) 0xC3}); // a truncated two-byte sequence
    assertThat(read(3000, 3)).isEqualTo(GuestMemory.string(memory, 3000, 3, "get", 1)).isEqualTo("ok\uFFFD");
    assertThat(read(3000, 0)).isEmpty();
    assertThatThrownBy(() -> read(3000, -1))
        .hasMessage("bad argument #1 to 'get' (string expected, got no value (length -1))");
    assertThatThrownBy(() -> read(Memory.PAGE_SIZE - 2, 3))
        .hasMessage("bad argument #1 to 'get' (memory range expected, got [65534, 65537) outside the 65536 bytes of linear memory)");
  }

  /** Every shape the length must count as getBytes encodes it: 1- to 4-byte chars, pairs, lone and reversed surrogates. */
  private static final String[] SHAPES = {
    "", "canary-v2", "\u007f", "\u0080", "é", "\u07ff", "\u0800", "中文", "\uffff", "\uD83D\uDE00",
    "\uD83D", "\uDE00", "x\uD83D", "\uDE00\uD83D", "\uD83D\uD83D\uDE00", "a\uDBFF\uDFFFb", "\u0141",
    "a".repeat(GuestStrings.MAX_SCRATCH_CHARS), "a".repeat(GuestStrings.MAX_SCRATCH_CHARS + 1),
    "é".repeat(GuestStrings.MAX_SCRATCH_CHARS), "\uD83D".repeat(10)
  };

  @Test
  void theLengthIsThatOfGetBytesForEveryShape() {
    for (String value : SHAPES) {
      assertThat(GuestStrings.utf8Length(value))
          .as("UTF-8 length of %s", value.chars().mapToObj(Integer::toHexString).toList())
          .isEqualTo(value.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void everyShapeIsWrittenAsGetBytesEncodesItWithNothingAfterIt() {
    for (String value : SHAPES) {
      byte[] expected = value.getBytes(StandardCharsets.UTF_8);
      write(5000, "#".repeat(1100));
      strings.writeUtf8(memory, 5000, value, GuestStrings.utf8Length(value), "get", 2);
      String shape = value.chars().mapToObj(Integer::toHexString).toList().toString();
      assertThat(memory.readBytes(5000, expected.length)).as("bytes of %s", shape).isEqualTo(expected);
      assertThat(memory.read(5000 + expected.length)).as("the byte after %s", shape).isEqualTo((byte) '#');
    }
    // a short value after a long one: only its own bytes, none of the scratch buffer's leftovers
    strings.writeUtf8(memory, 6000, "b".repeat(GuestStrings.MAX_SCRATCH_CHARS), GuestStrings.MAX_SCRATCH_CHARS, "get", 2);
    write(7000, "####");
    strings.writeUtf8(memory, 7000, "abc", 3, "get", 2);
    assertThat(memory.readString(7000, 4)).isEqualTo("abc#");
    assertThatThrownBy(() -> strings.writeUtf8(memory, Memory.PAGE_SIZE - 2, "abc", 3, "get", 2))
        .hasMessage("bad argument #2 to 'get' (memory range expected, got [65534, 65537) outside the 65536 bytes of linear memory)");
  }
}
