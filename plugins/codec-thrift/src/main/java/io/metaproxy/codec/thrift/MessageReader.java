package io.metaproxy.codec.thrift;

import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_BOOL;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_BYTE;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_DOUBLE;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_I16;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_I32;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_I64;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_LIST;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_MAP;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_SET;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_STOP;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_STRING;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_STRUCT;
import static io.metaproxy.codec.thrift.ThriftProtocol.BINARY_UUID;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_BINARY;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_BOOLEAN_FALSE;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_BOOLEAN_TRUE;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_BYTE;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_DOUBLE;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_I16;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_I32;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_I64;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_LIST;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_MAP;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_SET;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_STOP;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_STRUCT;
import static io.metaproxy.codec.thrift.ThriftProtocol.COMPACT_UUID;

import io.metaproxy.api.CodecException;
import io.netty.buffer.ByteBuf;

/**
 * Reads a Thrift message header and skips a struct body where they lie in a buffer, with absolute indexes, never
 * moving the buffer's indexes and never copying or decoding what it skips.
 *
 * <p>One instance per codec (so per connection), reused for every message: it keeps the buffer, its bounds and the
 * last header read in fields, so reading allocates nothing. {@link #reset} starts a read; {@link #clear} drops the
 * buffer reference, which the codec does before every return so it never holds a host buffer past a call. Not
 * thread-safe, like the codec.
 *
 * <p>Two bounds apply to every read: bytes past {@code end} are not there yet (the read returns {@link #NEED_MORE} and
 * the caller waits for data), and bytes past {@code limit} are past what the message may occupy (the read throws a
 * {@link CodecException}: the frame's end for framed messages, the size limit for unframed ones).
 */
final class MessageReader {

  /** Returned in place of an index when the message continues past the readable bytes. */
  static final int NEED_MORE = -1;

  /** The nesting depth libthrift itself allows when reading (its default recursion limit). */
  static final int MAX_DEPTH = 64;

  private ByteBuf buf;
  private int end;
  private long limit;
  private String limitDescription;

  /** The value of the last varint read by {@link #readVarint32}. */
  private int varint;

  // The last header read by readHeader.
  byte messageType;
  int seqId;
  int seqIdIndex;
  int seqIdLength;
  int nameIndex;
  int nameLength;

  /**
   * Starts reading {@code buf}.
   *
   * @param end the index after the last readable byte
   * @param limit the index the message must not reach past, possibly beyond {@code end}
   * @param limitDescription what the limit is, for error messages ("its frame", "the 16384000-byte limit")
   */
  void reset(ByteBuf buf, int end, long limit, String limitDescription) {
    this.buf = buf;
    this.end = end;
    this.limit = limit;
    this.limitDescription = limitDescription;
  }

  /** Forgets the buffer. */
  void clear() {
    buf = null;
  }

  /**
   * Reads the message header at {@code index} into this reader's header fields.
   *
   * @return the index of the message body, or {@link #NEED_MORE}
   */
  int readHeader(ThriftProtocol protocol, int index) throws CodecException {
    return switch (protocol) {
      case BINARY -> readBinaryHeader(index);
      case OLD_BINARY -> readOldBinaryHeader(index);
      case COMPACT -> readCompactHeader(index);
    };
  }

  /**
   * Skips the struct at {@code index}, nested values and all.
   *
   * @return the index after the struct's stop byte, or {@link #NEED_MORE}
   */
  int skipStruct(ThriftProtocol protocol, int index) throws CodecException {
    return protocol == ThriftProtocol.COMPACT ? skipCompactStruct(index, 1) : skipBinaryStruct(index, 1);
  }

  // ---- headers

  private int readBinaryHeader(int index) throws CodecException {
    int next = require(index, 8);
    if (next < 0) {
      return NEED_MORE;
    }
    int versionAndType = buf.getInt(index);
    if ((versionAndType & ThriftProtocol.BINARY_VERSION_MASK) != ThriftProtocol.BINARY_VERSION_1) {
      throw new CodecException(String.format("bad Thrift binary protocol version word 0x%08x", versionAndType));
    }
    messageType = checkMessageType(versionAndType & 0xff);
    nameLength = checkLength(buf.getInt(index + 4), "message name");
    nameIndex = next;
    seqIdIndex = require(nameIndex, nameLength);
    if (seqIdIndex < 0) {
      return NEED_MORE;
    }
    seqIdLength = 4;
    int bodyIndex = require(seqIdIndex, 4);
    if (bodyIndex < 0) {
      return NEED_MORE;
    }
    seqId = buf.getInt(seqIdIndex);
    return bodyIndex;
  }

  private int readOldBinaryHeader(int index) throws CodecException {
    nameIndex = require(index, 4);
    if (nameIndex < 0) {
      return NEED_MORE;
    }
    nameLength = checkLength(buf.getInt(index), "message name");
    int typeIndex = require(nameIndex, nameLength);
    if (typeIndex < 0) {
      return NEED_MORE;
    }
    seqIdIndex = require(typeIndex, 1);
    if (seqIdIndex < 0) {
      return NEED_MORE;
    }
    messageType = checkMessageType(buf.getByte(typeIndex));
    seqIdLength = 4;
    int bodyIndex = require(seqIdIndex, 4);
    if (bodyIndex < 0) {
      return NEED_MORE;
    }
    seqId = buf.getInt(seqIdIndex);
    return bodyIndex;
  }

  private int readCompactHeader(int index) throws CodecException {
    seqIdIndex = require(index, 2);
    if (seqIdIndex < 0) {
      return NEED_MORE;
    }
    byte protocolId = buf.getByte(index);
    if (protocolId != ThriftProtocol.COMPACT_PROTOCOL_ID) {
      throw new CodecException(String.format("bad Thrift compact protocol id 0x%02x", protocolId & 0xff));
    }
    int versionAndType = buf.getByte(index + 1);
    if ((versionAndType & ThriftProtocol.COMPACT_VERSION_MASK) != ThriftProtocol.COMPACT_VERSION) {
      throw new CodecException("bad Thrift compact protocol version " + (versionAndType & 0x1f));
    }
    messageType = checkMessageType((versionAndType >> ThriftProtocol.COMPACT_TYPE_SHIFT) & 0x07);
    int next = readVarint32(seqIdIndex);
    if (next < 0) {
      return NEED_MORE;
    }
    seqId = varint;
    seqIdLength = next - seqIdIndex;
    nameIndex = readVarint32(next);
    if (nameIndex < 0) {
      return NEED_MORE;
    }
    nameLength = checkLength(varint, "message name");
    return require(nameIndex, nameLength);
  }

  // ---- binary protocol bodies

  private int skipBinaryStruct(int index, int depth) throws CodecException {
    checkDepth(depth);
    while (true) {
      if (require(index, 1) < 0) {
        return NEED_MORE;
      }
      byte type = buf.getByte(index);
      if (type == BINARY_STOP) {
        return index + 1;
      }
      index = require(index, 3); // the type and an i16 field id
      if (index < 0) {
        return NEED_MORE;
      }
      index = skipBinaryValue(type, index, depth);
      if (index < 0) {
        return NEED_MORE;
      }
    }
  }

  private int skipBinaryValue(byte type, int index, int depth) throws CodecException {
    switch (type) {
      case BINARY_STRING: {
        int lengthEnd = require(index, 4);
        if (lengthEnd < 0) {
          return NEED_MORE;
        }
        return require(lengthEnd, checkLength(buf.getInt(index), "string"));
      }
      case BINARY_STRUCT:
        return skipBinaryStruct(index, depth + 1);
      case BINARY_MAP: {
        int elementsIndex = require(index, 6);
        if (elementsIndex < 0) {
          return NEED_MORE;
        }
        byte keyType = buf.getByte(index);
        byte valueType = buf.getByte(index + 1);
        int size = checkLength(buf.getInt(index + 2), "map size");
        int keyWidth = binaryWidth(keyType);
        int valueWidth = binaryWidth(valueType);
        if (keyWidth > 0 && valueWidth > 0) {
          return require(elementsIndex, (long) size * (keyWidth + valueWidth));
        }
        index = elementsIndex;
        for (int i = 0; i < size && index >= 0; i++) {
          index = skipBinaryValue(keyType, index, depth + 1);
          if (index >= 0) {
            index = skipBinaryValue(valueType, index, depth + 1);
          }
        }
        return index;
      }
      case BINARY_SET:
      case BINARY_LIST: {
        int elementsIndex = require(index, 5);
        if (elementsIndex < 0) {
          return NEED_MORE;
        }
        byte elementType = buf.getByte(index);
        int size = checkLength(buf.getInt(index + 1), "list size");
        int width = binaryWidth(elementType);
        if (width > 0) {
          return require(elementsIndex, (long) size * width);
        }
        index = elementsIndex;
        for (int i = 0; i < size && index >= 0; i++) {
          index = skipBinaryValue(elementType, index, depth + 1);
        }
        return index;
      }
      default: {
        int width = binaryWidth(type);
        if (width <= 0) {
          throw new CodecException("unknown Thrift binary field type " + type);
        }
        return require(index, width);
      }
    }
  }

  /** The encoded size of a fixed-width binary type; 0 for variable-width types, -1 for unknown ones. */
  private static int binaryWidth(byte type) {
    return switch (type) {
      case BINARY_BOOL, BINARY_BYTE -> 1;
      case BINARY_I16 -> 2;
      case BINARY_I32 -> 4;
      case BINARY_DOUBLE, BINARY_I64 -> 8;
      case BINARY_UUID -> 16;
      case BINARY_STRING, BINARY_STRUCT, BINARY_MAP, BINARY_SET, BINARY_LIST -> 0;
      default -> -1;
    };
  }

  // ---- compact protocol bodies

  private int skipCompactStruct(int index, int depth) throws CodecException {
    checkDepth(depth);
    while (true) {
      if (require(index, 1) < 0) {
        return NEED_MORE;
      }
      int header = buf.getByte(index++);
      int type = header & 0x0f;
      if (type == COMPACT_STOP) {
        return index; // libthrift reads a zero type nibble as the end of the struct, whatever the high nibble
      }
      if ((header & 0xf0) == 0) { // no id delta: the field id follows as a zigzag varint
        index = skipVarint(index, 5);
        if (index < 0) {
          return NEED_MORE;
        }
      }
      if (type == COMPACT_BOOLEAN_TRUE || type == COMPACT_BOOLEAN_FALSE) {
        continue; // a boolean field's value is its type
      }
      index = skipCompactValue(type, index, depth);
      if (index < 0) {
        return NEED_MORE;
      }
    }
  }

  /** Skips one value of compact type {@code type} as a collection element (booleans take a byte there). */
  private int skipCompactValue(int type, int index, int depth) throws CodecException {
    switch (type) {
      case COMPACT_I16:
      case COMPACT_I32:
        return skipVarint(index, 5);
      case COMPACT_I64:
        return skipVarint(index, 10);
      case COMPACT_BINARY: {
        int next = readVarint32(index);
        if (next < 0) {
          return NEED_MORE;
        }
        return require(next, checkLength(varint, "binary"));
      }
      case COMPACT_STRUCT:
        return skipCompactStruct(index, depth + 1);
      case COMPACT_LIST:
      case COMPACT_SET: {
        if (require(index, 1) < 0) {
          return NEED_MORE;
        }
        int sizeAndType = buf.getByte(index++);
        int elementType = sizeAndType & 0x0f;
        int size = (sizeAndType >> 4) & 0x0f;
        if (size == 15) { // the long form: the size follows as a varint
          index = readVarint32(index);
          if (index < 0) {
            return NEED_MORE;
          }
          size = checkLength(varint, "list size");
        }
        if (size == 0) {
          return index;
        }
        int width = compactWidth(elementType);
        if (width > 0) {
          return require(index, (long) size * width);
        }
        for (int i = 0; i < size && index >= 0; i++) {
          index = skipCompactValue(elementType, index, depth + 1);
        }
        return index;
      }
      case COMPACT_MAP: {
        index = readVarint32(index);
        if (index < 0) {
          return NEED_MORE;
        }
        int size = checkLength(varint, "map size");
        if (size == 0) {
          return index; // an empty map has no key/value type byte
        }
        if (require(index, 1) < 0) {
          return NEED_MORE;
        }
        int keyAndValueType = buf.getByte(index++);
        int keyType = (keyAndValueType >> 4) & 0x0f;
        int valueType = keyAndValueType & 0x0f;
        int keyWidth = compactWidth(keyType);
        int valueWidth = compactWidth(valueType);
        if (keyWidth > 0 && valueWidth > 0) {
          return require(index, (long) size * (keyWidth + valueWidth));
        }
        for (int i = 0; i < size && index >= 0; i++) {
          index = skipCompactValue(keyType, index, depth + 1);
          if (index >= 0) {
            index = skipCompactValue(valueType, index, depth + 1);
          }
        }
        return index;
      }
      default: {
        int width = compactWidth(type);
        if (width <= 0) {
          throw new CodecException("unknown Thrift compact type " + type);
        }
        return require(index, width);
      }
    }
  }

  /**
   * The encoded size of a fixed-width compact collection element; 0 for variable-width types (varints included), -1
   * for unknown ones.
   */
  private static int compactWidth(int type) {
    return switch (type) {
      case COMPACT_BOOLEAN_TRUE, COMPACT_BOOLEAN_FALSE, COMPACT_BYTE -> 1;
      case COMPACT_DOUBLE -> 8;
      case COMPACT_UUID -> 16;
      case COMPACT_I16, COMPACT_I32, COMPACT_I64, COMPACT_BINARY, COMPACT_LIST, COMPACT_SET, COMPACT_MAP,
          COMPACT_STRUCT -> 0;
      default -> -1;
    };
  }

  // ---- primitives

  /** Reads a varint of at most 5 bytes into {@link #varint}; returns the index after it, or {@link #NEED_MORE}. */
  private int readVarint32(int index) throws CodecException {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (require(index, 1) < 0) {
        return NEED_MORE;
      }
      byte b = buf.getByte(index++);
      result |= (b & 0x7f) << shift;
      if (b >= 0) {
        varint = result;
        return index;
      }
    }
    throw new CodecException("Thrift compact varint longer than 5 bytes");
  }

  private int skipVarint(int index, int maxBytes) throws CodecException {
    for (int i = 0; i < maxBytes; i++) {
      if (require(index, 1) < 0) {
        return NEED_MORE;
      }
      if (buf.getByte(index++) >= 0) {
        return index;
      }
    }
    throw new CodecException("Thrift compact varint longer than " + maxBytes + " bytes");
  }

  /**
   * The index {@code count} bytes after {@code index}: {@link #NEED_MORE} when those bytes are not all readable yet.
   *
   * @throws CodecException when they reach past the limit
   */
  private int require(int index, long count) throws CodecException {
    long next = index + count;
    if (next > limit) {
      throw new CodecException("Thrift message runs past " + limitDescription);
    }
    return next > end ? NEED_MORE : (int) next;
  }

  private static int checkLength(int length, String what) throws CodecException {
    if (length < 0) {
      throw new CodecException("negative Thrift " + what + " length " + length);
    }
    return length;
  }

  private static byte checkMessageType(int type) throws CodecException {
    if (!ThriftProtocol.isMessageType(type)) {
      throw new CodecException("unknown Thrift message type " + type);
    }
    return (byte) type;
  }

  private static void checkDepth(int depth) throws CodecException {
    if (depth > MAX_DEPTH) {
      throw new CodecException("Thrift struct nested deeper than " + MAX_DEPTH);
    }
  }
}
