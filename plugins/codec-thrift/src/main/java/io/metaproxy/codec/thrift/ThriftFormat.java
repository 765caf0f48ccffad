package io.metaproxy.codec.thrift;

import io.metaproxy.api.CodecException;
import io.netty.buffer.ByteBuf;

/**
 * A transport (framed or not) combined with a {@link ThriftProtocol}: everything needed to read and write a message
 * of one connection. The codec detects it from the first bytes of a connection ({@link #detect}) and stores the
 * constant in {@link io.metaproxy.api.Metadata#codecState()}, so that encode and onError answer in kind.
 */
enum ThriftFormat {
  /** {@code TFramedTransport} + {@code TBinaryProtocol}: {@code i32 frameLength | 0x80 0x01 ...}. */
  FRAMED_BINARY(true, ThriftProtocol.BINARY),
  /** {@code TFramedTransport} + {@code TCompactProtocol}: {@code i32 frameLength | 0x82 ...}. */
  FRAMED_COMPACT(true, ThriftProtocol.COMPACT),
  /** {@code TFramedTransport} + non-strict {@code TBinaryProtocol}: {@code i32 frameLength | i32 nameLength ...}. */
  FRAMED_OLD_BINARY(true, ThriftProtocol.OLD_BINARY),
  /** A plain stream ({@code TSocket}, buffered) + {@code TBinaryProtocol}: starts {@code 0x80 0x01}. */
  UNFRAMED_BINARY(false, ThriftProtocol.BINARY),
  /** A plain stream + {@code TCompactProtocol}: starts {@code 0x82}. */
  UNFRAMED_COMPACT(false, ThriftProtocol.COMPACT),
  /** A plain stream + non-strict {@code TBinaryProtocol}: starts with the name's length. */
  UNFRAMED_OLD_BINARY(false, ThriftProtocol.OLD_BINARY);

  /** Bytes of the framed transport's length prefix. */
  static final int FRAME_PREFIX = 4;

  /** Whether each message travels behind a 4-byte big-endian length (the framed transport). */
  final boolean framed;

  final ThriftProtocol protocol;

  ThriftFormat(boolean framed, ThriftProtocol protocol) {
    this.framed = framed;
    this.protocol = protocol;
  }

  /**
   * Tells the format from the first bytes of a message at {@code index}: a strict binary message starts with {@code
   * 0x80}, a compact one with {@code 0x82} -- both impossible as the first byte of a positive frame length -- and a
   * framed message has one of those, or a non-strict name length's zero high byte, right after its 4-byte length.
   * What remains, a positive int followed by something else, is a non-strict binary message's name length and name.
   *
   * <p>Reads at most 5 bytes and moves no index.
   *
   * @return the format, or null when fewer bytes than needed to tell are readable
   * @throws CodecException when the bytes cannot start a Thrift message, or announce one larger than {@code
   *     maxMessageSize} (an HTTP or TLS client, say, which a proxy should turn away early)
   */
  static ThriftFormat detect(ByteBuf buf, int index, int end, int maxMessageSize) throws CodecException {
    if (end - index < 1) {
      return null;
    }
    byte first = buf.getByte(index);
    if (first == (byte) 0x80) {
      return UNFRAMED_BINARY;
    }
    if (first == ThriftProtocol.COMPACT_PROTOCOL_ID) {
      return UNFRAMED_COMPACT;
    }
    if (first < 0) {
      throw new CodecException(String.format("not a Thrift message: starts with byte 0x%02x", first & 0xff));
    }
    if (end - index < 4) {
      return null;
    }
    int length = buf.getInt(index); // a frame length or, for non-strict binary, the name's length; never negative here
    if (length > maxMessageSize) {
      throw new CodecException(
          "not a Thrift message, or one larger than the " + maxMessageSize + "-byte limit: announces " + length
              + " bytes");
    }
    if (end - index < 5) {
      return null;
    }
    byte fifth = buf.getByte(index + 4);
    if (fifth == (byte) 0x80) {
      return FRAMED_BINARY;
    }
    if (fifth == ThriftProtocol.COMPACT_PROTOCOL_ID) {
      return FRAMED_COMPACT;
    }
    if (fifth == 0) {
      return FRAMED_OLD_BINARY; // the high byte of a non-strict name length, which stays below 16 MiB
    }
    return UNFRAMED_OLD_BINARY;
  }

  @Override
  public String toString() {
    return (framed ? "framed " : "unframed ") + protocol;
  }
}
