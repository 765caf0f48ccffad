package io.metaproxy.script.lua;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * Converts strings between Lua and Java for one VM, remembering recent conversions.
 *
 * <p>Why: luaj keeps strings as UTF-8 bytes and Java as UTF-16, so every {@code ctx:get("method")} would decode the key
 * to a new Java String and encode the answer to a new LuaString: two allocations and two passes over the characters
 * per call, which profiling showed as the largest part of a small filter's cost. But a filter asks for the same few
 * keys (string constants of its chunk, the same LuaString object on every call) and sees the same few values
 * (service and method names) on every request. So each direction has a small direct-mapped table: a hit costs a hash
 * and a comparison and allocates nothing; a miss converts and replaces the slot.
 *
 * <p>Keys ({@link #toJavaKey}) have a table of their own and are interned: the Java string a script's {@code
 * ctx:get("method")} passes is then the very instance a codec's literal key is, so the Metadata finds it by reference
 * without comparing characters. Only keys are interned, on a miss: values can be anything the traffic carries, and
 * interning each new one would cost more than it saves.
 *
 * <p>Only strings up to {@value #MAX_CACHED_LENGTH} characters or bytes are kept, so the tables stay small whatever
 * the traffic carries. Not thread-safe: one instance per VM, which one event loop uses.
 */
final class LuaStrings {
  /** Slots per direction; a power of two. */
  private static final int SLOTS = 64;

  private static final int MAX_CACHED_LENGTH = 64;

  private final LuaString[] luaStrings = new LuaString[SLOTS];
  private final String[] javaOfLuaStrings = new String[SLOTS];
  private final LuaString[] luaKeys = new LuaString[SLOTS];
  private final String[] javaOfLuaKeys = new String[SLOTS];
  private final String[] javaValues = new String[SLOTS];
  private final LuaString[] luaOfJavaValues = new LuaString[SLOTS];

  /** The Java string of a Lua string. */
  String toJava(LuaString value) {
    return toJava(value, luaStrings, javaOfLuaStrings, false);
  }

  /** The Java string of a Lua string used as a key: the same as {@link #toJava}, but the JVM's interned instance. */
  String toJavaKey(LuaString value) {
    return toJava(value, luaKeys, javaOfLuaKeys, true);
  }

  private static String toJava(LuaString value, LuaString[] luaSide, String[] javaSide, boolean intern) {
    if (value.m_length > MAX_CACHED_LENGTH) {
      return value.tojstring();
    }
    int slot = value.hashCode() & (SLOTS - 1);
    LuaString cached = luaSide[slot];
    if (cached != null && (cached == value || cached.raweq(value))) {
      return javaSide[slot];
    }
    String text = intern ? value.tojstring().intern() : value.tojstring();
    luaSide[slot] = value;
    javaSide[slot] = text;
    return text;
  }

  /** The Lua string of a Java string, or nil for null. */
  LuaValue toLua(String value) {
    if (value == null) {
      return LuaValue.NIL;
    }
    if (value.length() > MAX_CACHED_LENGTH) {
      return LuaValue.valueOf(value);
    }
    int slot = value.hashCode() & (SLOTS - 1);
    String cached = javaValues[slot];
    if (cached != null && cached.equals(value)) {
      return luaOfJavaValues[slot];
    }
    LuaString text = LuaString.valueOf(value);
    javaValues[slot] = value;
    luaOfJavaValues[slot] = text;
    return text;
  }
}
