package io.metaproxy.script.lua;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

class LuaStringsTest {
  private final LuaStrings strings = new LuaStrings();

  @Test
  void aRepeatedKeyConvertsOnceAndAnEqualCopyFindsTheSameJavaString() {
    LuaString key = LuaString.valueOf("interface");
    String first = strings.toJava(key);
    assertThat(first).isEqualTo("interface");
    assertThat(strings.toJava(key)).isSameAs(first);
    // a key built at run time (another LuaString object with the same bytes) hits too
    assertThat(strings.toJava(LuaString.valueOf("inter").concat(LuaString.valueOf("face")).checkstring()))
        .isSameAs(first);
  }

  @Test
  void keysAreTheInternedInstanceAndValuesAreNot() {
    String runtimeText = new String("x-user-id".toCharArray());
    assertThat(strings.toJavaKey(LuaString.valueOf(runtimeText))).isSameAs("x-user-id");
    assertThat(strings.toJavaKey(LuaString.valueOf("x-user-id"))).isSameAs("x-user-id");
    String value = strings.toJava(LuaString.valueOf(new String("sayHello".toCharArray())));
    assertThat(value).isEqualTo("sayHello").isNotSameAs("sayHello");
    // a key longer than the cache keeps is converted every time, equal but not interned
    String longKey = "k".repeat(100);
    assertThat(strings.toJavaKey(LuaString.valueOf(longKey))).isEqualTo(longKey);
  }

  @Test
  void aRepeatedValueConvertsOnceEvenFromAnotherJavaStringObject() {
    LuaValue first = strings.toLua("greet");
    assertThat(first.tojstring()).isEqualTo("greet");
    assertThat(strings.toLua(new String("greet".toCharArray()))).isSameAs(first);
    assertThat(strings.toLua(null)).isSameAs(LuaValue.NIL);
  }

  @Test
  void stringsSharingASlotNeverAnswerForEachOther() {
    List<String> sameSlot = sameSlot(8);
    for (int round = 0; round < 2; round++) {
      for (String text : sameSlot) {
        assertThat(strings.toJava(LuaString.valueOf(text))).isEqualTo(text);
        assertThat(strings.toLua(text).tojstring()).isEqualTo(text);
      }
    }
  }

  @Test
  void nonAsciiAndLongStringsConvertExactly() {
    String accented = "globex \u00e9 \u4e2d \ud83d\ude00";
    assertThat(strings.toJava(LuaString.valueOf(accented))).isEqualTo(accented);
    assertThat(strings.toLua(accented).tojstring()).isEqualTo(accented);
    String longText = "x".repeat(1000);
    assertThat(strings.toJava(LuaString.valueOf(longText))).isEqualTo(longText);
    assertThat(strings.toLua(longText).tojstring()).isEqualTo(longText);
  }

  /** {@code count} distinct short strings whose Java and Lua hashes both fall in one slot of the tables. */
  private static List<String> sameSlot(int count) {
    List<String> found = new ArrayList<>();
    int javaSlot = -1;
    int luaSlot = -1;
    for (int i = 0; found.size() < count; i++) {
      String text = "key-" + i;
      int javaHash = text.hashCode() & 63;
      int luaHash = LuaString.valueOf(text).hashCode() & 63;
      if (javaSlot < 0) {
        javaSlot = javaHash;
        luaSlot = luaHash;
      }
      if (javaHash == javaSlot && luaHash == luaSlot) {
        found.add(text);
      }
    }
    return found;
  }
}
