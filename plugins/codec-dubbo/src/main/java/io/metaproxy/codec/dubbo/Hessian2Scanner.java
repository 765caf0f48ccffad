package io.metaproxy.codec.dubbo;

import io.metaproxy.api.CodecException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks Hessian 2.0 values inside a {@link ByteBuf} without building them: it skips every type (null, booleans,
 * ints, longs and doubles in all their compact forms, dates, strings and binary including chunked ones, typed and
 * untyped lists and maps, objects with their class definitions, references) and reads only the strings the caller
 * asks for. The proxy therefore never needs the application's classes and never copies RPC arguments.
 *
 * <p>One scanner belongs to one codec (one connection, one event loop) and is reused for every frame, so that
 * skipping allocates nothing but one {@link ByteBuffer} view per frame: the container stack, the class-definition
 * table and the character scratch buffer grow once and stay. It reads through a {@link ByteBuffer} view of the
 * {@link ByteBuf} rather than the ByteBuf itself: one bounds-checked view instead of a ByteBuf call per byte, which also
 * keeps Netty's paranoid leak detector (which records every ByteBuf access) from costing a stack trace per byte. Only a
 * buffer of several components (a composite cumulation) is copied into a scratch buffer first. Positions it reports are
 * absolute indexes of the ByteBuf. It keeps the view only between {@link #reset} and {@link #clear}, and never
 * retains or releases the ByteBuf.
 *
 * <p>Besides skipping, it counts what a value <em>introduces</em> into Hessian's positional tables (maps, lists and
 * objects enter the reference table; class definitions and type names enter theirs) and what it <em>refers to</em>
 * by position (references, object instances, type references). {@link AttachmentRewriter} uses these counts to know
 * whether dropping an attachment's bytes would shift a position something later in the frame points at.
 *
 * <p>Not thread-safe.
 */
final class Hessian2Scanner {
  /** Deeper nesting than this is treated as malicious: Hessian's own recursive reader would overflow well before. */
  static final int MAX_DEPTH = 8192;

  private static final int LIST_UNTIL_END = -1;
  private static final int MAP_KEY_UNTIL_END = -2;
  private static final int MAP_VALUE_UNTIL_END = -3;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final int SCRATCH_CHARS = 256;

  /** The bytes being scanned; index 0 is the ByteBuf's absolute index {@link #offset}. */
  private ByteBuffer data;
  private int offset;
  private int pos;
  private int limit;
  /** Scratch copy for buffers of several components. */
  private ByteBuffer copy;

  /** Field counts of the class definitions seen in this frame, by definition index. */
  private int[] classFieldCounts = new int[16];
  private int classDefinitionCount;
  /** Definitions below this index were defined before the scan started, so their field counts are unknown. */
  private int firstKnownClassDefinition;
  private int lowestClassDefinitionUsed;

  /** Open containers: a remaining count (> 0) or one of the UNTIL_END markers. */
  private int[] stack = new int[32];

  private char[] chars = new char[SCRATCH_CHARS];

  private int introduced;
  private int positionalReferences;

  /** Starts scanning {@code buf} from absolute index {@code from} up to (excluding) {@code limit}. */
  void reset(ByteBuf buf, int from, int limit) {
    reset(buf, from, limit, 0);
  }

  /**
   * Starts scanning in the middle of a frame whose earlier part defined {@code classDefinitionsBefore} classes.
   * Object instances of those earlier classes cannot be skipped (their field counts are unknown) and fail the scan.
   */
  void reset(ByteBuf buf, int from, int limit, int classDefinitionsBefore) {
    int length = limit - from;
    if (buf.nioBufferCount() == 1) {
      data = buf.nioBuffer(from, length);
    } else {
      if (copy == null || copy.capacity() < length) {
        copy = ByteBuffer.allocate(Math.max(length, 4096));
      }
      copy.clear().limit(length);
      buf.getBytes(from, copy);
      data = copy;
    }
    data.order(ByteOrder.BIG_ENDIAN);
    this.offset = from;
    this.pos = 0;
    this.limit = length;
    this.classDefinitionCount = classDefinitionsBefore;
    this.firstKnownClassDefinition = classDefinitionsBefore;
    if (classFieldCounts.length < classDefinitionsBefore) {
      classFieldCounts = new int[Math.max(classDefinitionsBefore, classFieldCounts.length * 2)];
    }
    this.lowestClassDefinitionUsed = Integer.MAX_VALUE;
    this.introduced = 0;
    this.positionalReferences = 0;
  }

  /** Forgets the buffer (a codec keeps no reference to a buffer after a call) and trims an oversized scratch. */
  void clear() {
    data = null;
    if (chars.length > 64 * 1024) {
      chars = new char[SCRATCH_CHARS];
    }
    if (copy != null && copy.capacity() > 64 * 1024) {
      copy = null;
    }
  }

  /** The absolute ByteBuf index of the next byte. */
  int position() {
    return offset + pos;
  }

  /** The absolute ByteBuf index where the scanned range ends. */
  int limit() {
    return offset + limit;
  }

  boolean atEnd() {
    return pos >= limit;
  }

  int classDefinitionCount() {
    return classDefinitionCount;
  }

  /** Starts {@link #lowestClassDefinitionUsed()} afresh, e.g. where the attachments map begins. */
  void resetClassUseTracking() {
    lowestClassDefinitionUsed = Integer.MAX_VALUE;
  }

  /** The lowest class-definition index an object instance used since the last reset; MAX_VALUE when none. */
  int lowestClassDefinitionUsed() {
    return lowestClassDefinitionUsed;
  }

  /** How many reference-table entries, class definitions and type names the scanned values introduced. */
  int introduced() {
    return introduced;
  }

  /** How many references, object instances and type references the scanned values made by position. */
  int positionalReferences() {
    return positionalReferences;
  }

  /** The tag of the next value without consuming it. */
  int peekTag() throws CodecException {
    if (pos >= limit) {
      throw truncated();
    }
    return data.get(pos) & 0xff;
  }

  static boolean isStringTag(int tag) {
    return tag <= 0x1f || (tag >= 0x30 && tag <= 0x33) || tag == 'R' || tag == 'S';
  }

  /** Reads a Hessian int in any of its forms (Dubbo writes bytes such as the response flag as ints). */
  int readInt() throws CodecException {
    int tag = u8();
    if (tag >= 0x80 && tag <= 0xbf) {
      return tag - 0x90;
    }
    if (tag >= 0xc0 && tag <= 0xcf) {
      return ((tag - 0xc8) << 8) + u8();
    }
    if (tag >= 0xd0 && tag <= 0xd7) {
      return ((tag - 0xd4) << 16) + (u8() << 8) + u8();
    }
    if (tag == 'I') {
      need(4);
      int value = data.getInt(pos);
      pos += 4;
      return value;
    }
    throw unexpected(tag, "an int");
  }

  /**
   * Reads a string (or null) into the scratch buffer, see {@link #chars()}.
   *
   * @return the number of chars, or -1 for a Hessian null
   */
  int readStringChars() throws CodecException {
    int tag = u8();
    if (tag == 'N') {
      return -1;
    }
    int count = 0;
    while (true) {
      int chunk;
      boolean last = true;
      if (tag <= 0x1f) {
        chunk = tag;
      } else if (tag >= 0x30 && tag <= 0x33) {
        chunk = ((tag - 0x30) << 8) + u8();
      } else if (tag == 'S' || tag == 'R') {
        chunk = u16();
        last = tag == 'S';
      } else {
        throw unexpected(tag, count == 0 ? "a string" : "a string chunk");
      }
      // every char takes at least one byte: a larger count is malformed, and checking first bounds the growth
      need(chunk);
      if (chars.length - count < chunk) {
        char[] grown = new char[Math.max(count + chunk, chars.length * 2)];
        System.arraycopy(chars, 0, grown, 0, count);
        chars = grown;
      }
      count = decodeChars(chunk, count);
      if (last) {
        return count;
      }
      tag = u8();
    }
  }

  /** The scratch buffer {@link #readStringChars()} filled; valid until the next read. */
  char[] chars() {
    return chars;
  }

  /** Reads a string or null, reusing {@link KnownStrings} for well-known keys instead of allocating. */
  String readString() throws CodecException {
    int length = readStringChars();
    if (length < 0) {
      return null;
    }
    String known = KnownStrings.find(chars, length);
    return known != null ? known : new String(chars, 0, length);
  }

  /** Skips a string or null. */
  void skipString() throws CodecException {
    int tag = u8();
    if (tag != 'N') {
      if (!isStringTag(tag)) {
        throw unexpected(tag, "a string");
      }
      skipStringBody(tag);
    }
  }

  /** Skips one whole value, however deeply nested, without recursion. */
  void skipValue() throws CodecException {
    int depth = 0;
    while (true) {
      int tag = u8();
      boolean complete = true;
      switch (tag) {
        case 'N', 'T', 'F', 0x5b, 0x5c -> { }
        case 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf -> skip(1);
        case 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7 -> skip(2);
        case 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff -> skip(1);
        case 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f -> skip(2);
        case 'I', 'Y', 'K', 0x5f -> skip(4);
        case 'L', 'D', 'J' -> skip(8);
        case 0x5d -> skip(1);
        case 0x5e -> skip(2);
        case 0x30, 0x31, 0x32, 0x33, 'R', 'S' -> skipStringBody(tag);
        case 0x34, 0x35, 0x36, 0x37, 'A', 'B' -> skipBinaryBody(tag);
        case 'C' -> {
          // a class definition prefixes the value that follows it
          readClassDefinition();
          complete = false;
        }
        case 'O' -> {
          if (openObject(readInt(), depth)) {
            depth++;
            complete = false;
          }
        }
        case 'Q' -> {
          readInt();
          positionalReferences++;
        }
        case 'H' -> {
          introduced++;
          push(depth++, MAP_KEY_UNTIL_END);
          complete = false;
        }
        case 'M' -> {
          introduced++;
          skipType();
          push(depth++, MAP_KEY_UNTIL_END);
          complete = false;
        }
        case 0x55 -> {
          introduced++;
          skipType();
          push(depth++, LIST_UNTIL_END);
          complete = false;
        }
        case 0x57 -> {
          introduced++;
          push(depth++, LIST_UNTIL_END);
          complete = false;
        }
        case 'V' -> {
          introduced++;
          skipType();
          if (pushCount(depth, readInt())) {
            depth++;
            complete = false;
          }
        }
        case 0x58 -> {
          introduced++;
          if (pushCount(depth, readInt())) {
            depth++;
            complete = false;
          }
        }
        case 'Z' -> {
          if (depth == 0 || (stack[depth - 1] != LIST_UNTIL_END && stack[depth - 1] != MAP_KEY_UNTIL_END)) {
            throw malformed("unexpected end marker 'Z'");
          }
          depth--;
        }
        default -> {
          if (tag <= 0x1f) {
            skipChars(tag);
          } else if (tag <= 0x2f) {
            skip(tag - 0x20);
          } else if (tag >= 0x60 && tag <= 0x6f) {
            if (openObject(tag - 0x60, depth)) {
              depth++;
              complete = false;
            }
          } else if (tag >= 0x70 && tag <= 0x77) {
            introduced++;
            skipType();
            if (pushCount(depth, tag - 0x70)) {
              depth++;
              complete = false;
            }
          } else if (tag >= 0x78 && tag <= 0x7f) {
            introduced++;
            if (pushCount(depth, tag - 0x78)) {
              depth++;
              complete = false;
            }
          } else if (tag < 0x80 || tag > 0xef) {
            // 0x40, 0x45, 0x47 and 0x50 are reserved; everything else is handled above
            throw unexpected(tag, "a value");
          }
          // 0x80-0xbf compact ints and 0xd8-0xef compact longs carry no further bytes
        }
      }
      if (!complete) {
        continue;
      }
      // a value is complete: account for it in its enclosing containers, closing those it completes
      while (depth > 0) {
        int top = stack[depth - 1];
        if (top > 0) {
          if (top == 1) {
            depth--;
            continue;
          }
          stack[depth - 1] = top - 1;
        } else if (top == MAP_KEY_UNTIL_END) {
          stack[depth - 1] = MAP_VALUE_UNTIL_END;
        } else if (top == MAP_VALUE_UNTIL_END) {
          stack[depth - 1] = MAP_KEY_UNTIL_END;
        }
        break;
      }
      if (depth == 0) {
        return;
      }
    }
  }

  /** Skips the end marker of a map or list the caller walks entry by entry, see {@link #atEndMarker()}. */
  void skipEndMarker() throws CodecException {
    int tag = u8();
    if (tag != 'Z') {
      throw unexpected(tag, "the end marker 'Z'");
    }
  }

  boolean atEndMarker() throws CodecException {
    return peekTag() == 'Z';
  }

  /** Reads the header of a map ('H', or 'M' and its type) and returns its tag; the entries follow. */
  int readMapStart() throws CodecException {
    int tag = u8();
    if (tag == 'M') {
      introduced++;
      skipType();
    } else if (tag == 'H') {
      introduced++;
    } else {
      throw unexpected(tag, "a map");
    }
    return tag;
  }

  /** Counts the parameter types of a JVM method descriptor held in the scratch buffer, e.g. {@code I[JLa/B;}. */
  int countDescriptorTypes(int length) throws CodecException {
    int types = 0;
    boolean inClassName = false;
    for (int i = 0; i < length; i++) {
      char c = chars[i];
      if (inClassName) {
        if (c == ';') {
          inClassName = false;
          types++;
        }
      } else if (c == 'L') {
        inClassName = true;
      } else if (c == 'Z' || c == 'B' || c == 'C' || c == 'S' || c == 'I' || c == 'J' || c == 'F' || c == 'D') {
        types++;
      } else if (c != '[') {
        throw malformed("bad parameter types descriptor '" + new String(chars, 0, length) + "'");
      }
    }
    if (inClassName) {
      throw malformed("bad parameter types descriptor '" + new String(chars, 0, length) + "'");
    }
    return types;
  }

  // ---- internals ----

  /** Opens an object instance; returns true when it has fields to skip (pushed, so the caller's depth grows). */
  private boolean openObject(int definition, int depth) throws CodecException {
    if (definition < 0 || definition >= classDefinitionCount) {
      throw malformed("object refers to undefined class definition #" + definition);
    }
    if (definition < firstKnownClassDefinition) {
      throw malformed("object refers to class definition #" + definition + " outside the scanned range");
    }
    lowestClassDefinitionUsed = Math.min(lowestClassDefinitionUsed, definition);
    introduced++;
    positionalReferences++;
    return pushCount(depth, classFieldCounts[definition]);
  }

  /** Pushes a counted container; returns false (nothing pushed) when it is empty and thus already complete. */
  private boolean pushCount(int depth, int count) throws CodecException {
    if (count < 0) {
      throw malformed("negative length " + count);
    }
    if (count == 0) {
      return false;
    }
    // every element takes at least one byte
    need(count);
    push(depth, count);
    return true;
  }

  private void push(int depth, int entry) throws CodecException {
    if (depth >= MAX_DEPTH) {
      throw malformed("values nested deeper than " + MAX_DEPTH);
    }
    if (depth == stack.length) {
      int[] grown = new int[stack.length * 2];
      System.arraycopy(stack, 0, grown, 0, stack.length);
      stack = grown;
    }
    stack[depth] = entry;
  }

  private void readClassDefinition() throws CodecException {
    skipString();
    int fields = readInt();
    if (fields < 0) {
      throw malformed("class definition with " + fields + " fields");
    }
    need(fields);
    for (int i = 0; i < fields; i++) {
      skipString();
    }
    if (classDefinitionCount == classFieldCounts.length) {
      int[] grown = new int[classFieldCounts.length * 2];
      System.arraycopy(classFieldCounts, 0, grown, 0, classFieldCounts.length);
      classFieldCounts = grown;
    }
    classFieldCounts[classDefinitionCount++] = fields;
    introduced++;
  }

  /** A type is a string the first time, then an int reference into the frame's type table. */
  private void skipType() throws CodecException {
    int tag = peekTag();
    if (isStringTag(tag)) {
      pos++;
      skipStringBody(tag);
      introduced++;
    } else {
      readInt();
      positionalReferences++;
    }
  }

  private void skipStringBody(int tag) throws CodecException {
    while (true) {
      if (tag <= 0x1f) {
        skipChars(tag);
        return;
      }
      if (tag >= 0x30 && tag <= 0x33) {
        skipChars(((tag - 0x30) << 8) + u8());
        return;
      }
      if (tag == 'S') {
        skipChars(u16());
        return;
      }
      if (tag != 'R') {
        throw unexpected(tag, "a string chunk");
      }
      skipChars(u16());
      tag = u8();
    }
  }

  private void skipBinaryBody(int tag) throws CodecException {
    while (true) {
      if (tag >= 0x20 && tag <= 0x2f) {
        skip(tag - 0x20);
        return;
      }
      if (tag >= 0x34 && tag <= 0x37) {
        skip(((tag - 0x34) << 8) + u8());
        return;
      }
      if (tag == 'B') {
        skip(u16());
        return;
      }
      if (tag != 'A') {
        throw unexpected(tag, "a binary chunk");
      }
      skip(u16());
      tag = u8();
    }
  }

  /** Skips {@code count} chars of Hessian's UTF-8 (a char is 1 to 3 bytes; 4-byte sequences count as two chars). */
  private void skipChars(int count) throws CodecException {
    need(count);
    int remaining = count;
    while (remaining > 0) {
      // plain ASCII runs are the common case: test eight bytes at once
      if (remaining >= 8 && limit - pos >= 8 && (data.getLong(pos) & HIGH_BITS) == 0) {
        pos += 8;
        remaining -= 8;
        continue;
      }
      int b = u8();
      remaining--;
      if (b >= 0x80) {
        int continuation = utf8Continuation(b);
        skip(continuation);
        if (continuation == 3) {
          // a 4-byte sequence is a surrogate pair: two chars of the declared length
          if (--remaining < 0) {
            throw malformed("string length does not match its characters");
          }
        }
      }
    }
  }

  /** Decodes {@code count} chars into the scratch buffer at {@code offset}; returns the new length. */
  private int decodeChars(int count, int offset) throws CodecException {
    int out = offset;
    int end = offset + count;
    while (out < end) {
      int b = u8();
      if (b < 0x80) {
        chars[out++] = (char) b;
      } else if ((b & 0xe0) == 0xc0) {
        chars[out++] = (char) (((b & 0x1f) << 6) | (u8() & 0x3f));
      } else if ((b & 0xf0) == 0xe0) {
        chars[out++] = (char) (((b & 0x0f) << 12) | ((u8() & 0x3f) << 6) | (u8() & 0x3f));
      } else if ((b & 0xf8) == 0xf0 && end - out >= 2) {
        int codePoint = ((b & 0x07) << 18) | ((u8() & 0x3f) << 12) | ((u8() & 0x3f) << 6) | (u8() & 0x3f);
        chars[out++] = Character.highSurrogate(codePoint);
        chars[out++] = Character.lowSurrogate(codePoint);
      } else {
        throw malformed("bad UTF-8 lead byte 0x" + Integer.toHexString(b) + " in a string");
      }
    }
    return out;
  }

  /** How many continuation bytes follow a non-ASCII UTF-8 lead byte. */
  private int utf8Continuation(int lead) throws CodecException {
    if ((lead & 0xe0) == 0xc0) {
      return 1;
    }
    if ((lead & 0xf0) == 0xe0) {
      return 2;
    }
    if ((lead & 0xf8) == 0xf0) {
      return 3;
    }
    throw malformed("bad UTF-8 lead byte 0x" + Integer.toHexString(lead) + " in a string");
  }

  private int u8() throws CodecException {
    if (pos >= limit) {
      throw truncated();
    }
    return data.get(pos++) & 0xff;
  }

  private int u16() throws CodecException {
    need(2);
    int value = data.getShort(pos) & 0xffff;
    pos += 2;
    return value;
  }

  private void skip(int bytes) throws CodecException {
    need(bytes);
    pos += bytes;
  }

  private void need(int bytes) throws CodecException {
    if (bytes < 0 || limit - pos < bytes) {
      throw truncated();
    }
  }

  private CodecException truncated() {
    return malformed("value runs past the end of the body");
  }

  private CodecException unexpected(int tag, String expected) {
    return malformed("expected " + expected + " but found tag 0x" + Integer.toHexString(tag));
  }

  CodecException malformed(String what) {
    return new CodecException("dubbo: malformed hessian2 body at byte " + pos + " of the body: " + what);
  }
}
