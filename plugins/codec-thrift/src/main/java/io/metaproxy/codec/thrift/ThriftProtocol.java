package io.metaproxy.codec.thrift;

import io.netty.buffer.ByteBuf;

/**
 * The three Thrift message encodings the codec speaks, and how each writes a message header and a {@code
 * TApplicationException}. Reading is {@link MessageReader}'s job.
 *
 * <p>Message headers, as libthrift 0.17 writes them (names are UTF-8, {@code seqid} is a signed 32-bit integer):
 *
 * <pre>
 * BINARY      i32 0x8001_00TT | i32 nameLength | name | i32 seqid        (TBinaryProtocol, strictWrite, the default)
 * OLD_BINARY  i32 nameLength  | name | byte TT | i32 seqid               (TBinaryProtocol with strictWrite=false)
 * COMPACT     byte 0x82 | byte TTT0_0001 | varint32 seqid | varint32 nameLength | name   (TCompactProtocol)
 * </pre>
 *
 * The message body, one struct, follows the header directly in every encoding.
 */
enum ThriftProtocol {
  /** {@code TBinaryProtocol} with the version word (strict); what libthrift writes by default. */
  BINARY("binary") {
    @Override
    void writeHeaderStart(ByteBuf out, byte messageType, int seqId, int nameLength) {
      out.writeInt(BINARY_VERSION_1 | messageType);
      out.writeInt(nameLength);
    }

    @Override
    void writeHeaderEnd(ByteBuf out, byte messageType, int seqId) {
      out.writeInt(seqId);
    }

    @Override
    void writeApplicationException(ByteBuf out, byte[] messageUtf8, int exceptionType) {
      out.writeByte(BINARY_STRING);
      out.writeShort(APPLICATION_EXCEPTION_MESSAGE_FIELD);
      out.writeInt(messageUtf8.length);
      out.writeBytes(messageUtf8);
      out.writeByte(BINARY_I32);
      out.writeShort(APPLICATION_EXCEPTION_TYPE_FIELD);
      out.writeInt(exceptionType);
      out.writeByte(BINARY_STOP);
    }
  },

  /** {@code TBinaryProtocol} without the version word, as written by peers configured with {@code strictWrite=false}. */
  OLD_BINARY("binary (non-strict)") {
    @Override
    void writeHeaderStart(ByteBuf out, byte messageType, int seqId, int nameLength) {
      out.writeInt(nameLength);
    }

    @Override
    void writeHeaderEnd(ByteBuf out, byte messageType, int seqId) {
      out.writeByte(messageType);
      out.writeInt(seqId);
    }

    @Override
    void writeApplicationException(ByteBuf out, byte[] messageUtf8, int exceptionType) {
      BINARY.writeApplicationException(out, messageUtf8, exceptionType);
    }
  },

  /** {@code TCompactProtocol}. */
  COMPACT("compact") {
    @Override
    void writeHeaderStart(ByteBuf out, byte messageType, int seqId, int nameLength) {
      out.writeByte(COMPACT_PROTOCOL_ID);
      out.writeByte(COMPACT_VERSION | (messageType << COMPACT_TYPE_SHIFT));
      writeVarint32(out, seqId);
      writeVarint32(out, nameLength);
    }

    @Override
    void writeHeaderEnd(ByteBuf out, byte messageType, int seqId) {
      // the compact header ends with the name
    }

    @Override
    void writeApplicationException(ByteBuf out, byte[] messageUtf8, int exceptionType) {
      // short-form field headers: (id delta from the previous field << 4) | type; the ids are 1 then 2
      out.writeByte((1 << 4) | COMPACT_BINARY);
      writeVarint32(out, messageUtf8.length);
      out.writeBytes(messageUtf8);
      out.writeByte((1 << 4) | COMPACT_I32);
      writeVarint32(out, (exceptionType << 1) ^ (exceptionType >> 31)); // i32 travels zigzag-encoded
      out.writeByte(COMPACT_STOP);
    }
  };

  /** Message types on the wire ({@code TMessageType}). */
  static final byte CALL = 1;
  static final byte REPLY = 2;
  static final byte EXCEPTION = 3;
  static final byte ONEWAY = 4;

  /** The strict binary version word's upper half; the low byte carries the message type. */
  static final int BINARY_VERSION_1 = 0x8001_0000;
  static final int BINARY_VERSION_MASK = 0xffff_0000;
  static final byte COMPACT_PROTOCOL_ID = (byte) 0x82;
  static final int COMPACT_VERSION = 1;
  static final int COMPACT_VERSION_MASK = 0x1f;
  static final int COMPACT_TYPE_SHIFT = 5;

  static final short APPLICATION_EXCEPTION_MESSAGE_FIELD = 1;
  static final short APPLICATION_EXCEPTION_TYPE_FIELD = 2;

  /** Binary protocol field types ({@code TType}); UUID is the 0.19+ wire type, accepted for newer peers. */
  static final byte BINARY_STOP = 0;
  static final byte BINARY_BOOL = 2;
  static final byte BINARY_BYTE = 3;
  static final byte BINARY_DOUBLE = 4;
  static final byte BINARY_I16 = 6;
  static final byte BINARY_I32 = 8;
  static final byte BINARY_I64 = 10;
  static final byte BINARY_STRING = 11;
  static final byte BINARY_STRUCT = 12;
  static final byte BINARY_MAP = 13;
  static final byte BINARY_SET = 14;
  static final byte BINARY_LIST = 15;
  static final byte BINARY_UUID = 16;

  /** Compact protocol field types (the low nibble of a field header). */
  static final int COMPACT_STOP = 0;
  static final int COMPACT_BOOLEAN_TRUE = 1;
  static final int COMPACT_BOOLEAN_FALSE = 2;
  static final int COMPACT_BYTE = 3;
  static final int COMPACT_I16 = 4;
  static final int COMPACT_I32 = 5;
  static final int COMPACT_I64 = 6;
  static final int COMPACT_DOUBLE = 7;
  static final int COMPACT_BINARY = 8;
  static final int COMPACT_LIST = 9;
  static final int COMPACT_SET = 10;
  static final int COMPACT_MAP = 11;
  static final int COMPACT_STRUCT = 12;
  static final int COMPACT_UUID = 13;

  private final String displayName;

  ThriftProtocol(String displayName) {
    this.displayName = displayName;
  }

  /** Writes the part of a message header that precedes the name bytes. */
  abstract void writeHeaderStart(ByteBuf out, byte messageType, int seqId, int nameLength);

  /** Writes the part of a message header that follows the name bytes. */
  abstract void writeHeaderEnd(ByteBuf out, byte messageType, int seqId);

  /**
   * Writes the body of an EXCEPTION message: the struct {@code TApplicationException} reads, {@code {1: string
   * message, 2: i32 type}}.
   */
  abstract void writeApplicationException(ByteBuf out, byte[] messageUtf8, int exceptionType);

  @Override
  public String toString() {
    return displayName;
  }

  /** Whether {@code type} is one of the four message types. */
  static boolean isMessageType(int type) {
    return type >= CALL && type <= ONEWAY;
  }

  /** How many bytes {@code value}, read as unsigned, takes as a varint (1 to 5). */
  static int varint32Size(int value) {
    if ((value & (~0 << 7)) == 0) {
      return 1;
    }
    if ((value & (~0 << 14)) == 0) {
      return 2;
    }
    if ((value & (~0 << 21)) == 0) {
      return 3;
    }
    if ((value & (~0 << 28)) == 0) {
      return 4;
    }
    return 5;
  }

  /** Writes {@code value}, read as unsigned, as a varint (the way {@code TCompactProtocol} writes sizes and seqids). */
  static void writeVarint32(ByteBuf out, int value) {
    while ((value & ~0x7f) != 0) {
      out.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.writeByte(value);
  }

  /** Writes {@code value} as a varint at {@code index} without moving any index; returns the bytes written. */
  static int setVarint32(ByteBuf buf, int index, int value) {
    int start = index;
    while ((value & ~0x7f) != 0) {
      buf.setByte(index++, (value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf.setByte(index++, value);
    return index - start;
  }
}
