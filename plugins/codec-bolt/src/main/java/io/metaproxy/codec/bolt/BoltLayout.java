package io.metaproxy.codec.bolt;

import io.netty.buffer.ByteBuf;

/**
 * Where the fields of a Bolt command sit, for the two protocol versions and the two directions. Offsets count from
 * the frame's first byte.
 *
 * <pre>
 * v1 request  (22 bytes): proto=1 type cmdcode(2) ver2 requestId(4) codec         timeout(4)    classLen(2) headerLen(2) contentLen(4)
 * v1 response (20 bytes): proto=1 type cmdcode(2) ver2 requestId(4) codec         respStatus(2) classLen(2) headerLen(2) contentLen(4)
 * v2 request  (24 bytes): proto=2 ver1 type cmdcode(2) ver2 requestId(4) codec switch timeout(4)    classLen(2) ...
 * v2 response (22 bytes): proto=2 ver1 type cmdcode(2) ver2 requestId(4) codec switch respStatus(2) classLen(2) ...
 * then: class name, header, content, and in v2 with ver1=2 and the CRC switch on, a CRC32 of all bytes before it.
 * </pre>
 *
 * V2 is v1 with two bytes inserted (the protocol version after the code, the switch byte after the codec), so one
 * table of offsets serves all four shapes.
 */
enum BoltLayout {
  V1_REQUEST(BoltLayout.PROTOCOL_V1, 22),
  V1_RESPONSE(BoltLayout.PROTOCOL_V1, 20),
  V2_REQUEST(BoltLayout.PROTOCOL_V2, 24),
  V2_RESPONSE(BoltLayout.PROTOCOL_V2, 22);

  static final byte PROTOCOL_V1 = 1;
  static final byte PROTOCOL_V2 = 2;
  /** The v2 protocol version (byte 1) whose frames may carry a CRC; version 1 frames of protocol 2 never do. */
  static final byte V2_VERSION_WITH_CRC = 2;

  static final byte TYPE_RESPONSE = 0;
  static final byte TYPE_REQUEST = 1;
  static final byte TYPE_ONEWAY = 2;

  static final short CMD_HEARTBEAT = 0;
  static final short CMD_RPC_REQUEST = 1;
  static final short CMD_RPC_RESPONSE = 2;

  /** Bit 0 of the v2 switch byte: a CRC32 trails the frame. */
  static final int CRC_SWITCH_BIT = 1;
  static final int CRC_LENGTH = 4;

  final byte protocol;
  /** The request/response/oneway byte; its offset depends only on the protocol. */
  final int typeAt;
  final int cmdCodeAt;
  final int requestIdAt;
  final int codecAt;
  /** The v2 switch byte, or -1 in v1. */
  final int switchAt;
  /** The timeout (requests, 4 bytes) or the response status (responses, 2 bytes). */
  final int timeoutOrStatusAt;
  /** classLen(2), headerLen(2), contentLen(4): always the last eight bytes of the fixed part. */
  final int lengthsAt;
  /** Bytes before the class name. */
  final int fixedLength;

  BoltLayout(byte protocol, int fixedLength) {
    boolean v2 = protocol == PROTOCOL_V2;
    this.protocol = protocol;
    this.typeAt = typeOffset(protocol);
    this.cmdCodeAt = typeAt + 1;
    this.requestIdAt = cmdCodeAt + 3; // after cmdcode(2) and ver2(1)
    this.codecAt = requestIdAt + 4;
    this.switchAt = v2 ? codecAt + 1 : -1;
    this.timeoutOrStatusAt = codecAt + (v2 ? 2 : 1);
    this.lengthsAt = fixedLength - 8;
    this.fixedLength = fixedLength;
  }

  /** Offset of the type byte for a protocol code; the first thing a reader needs after the code itself. */
  static int typeOffset(byte protocol) {
    return protocol == PROTOCOL_V2 ? 2 : 1;
  }

  /** The layout for a protocol code and type byte, or null when either is not Bolt's. */
  static BoltLayout of(byte protocol, byte type) {
    boolean response = type == TYPE_RESPONSE;
    if (!response && type != TYPE_REQUEST && type != TYPE_ONEWAY) {
      return null;
    }
    return switch (protocol) {
      case PROTOCOL_V1 -> response ? V1_RESPONSE : V1_REQUEST;
      case PROTOCOL_V2 -> response ? V2_RESPONSE : V2_REQUEST;
      default -> null;
    };
  }

  /**
   * The layout of a frame that was already decoded once (so it is known to be valid), starting at {@code start}.
   *
   * @throws IllegalArgumentException when the bytes are not a Bolt frame after all
   */
  static BoltLayout ofDecoded(ByteBuf frame, int start) {
    byte protocol = frame.getByte(start);
    BoltLayout layout = of(protocol, frame.getByte(start + typeOffset(protocol)));
    if (layout == null) {
      throw new IllegalArgumentException("not a Bolt frame: protocol code " + protocol);
    }
    return layout;
  }

  boolean isResponse() {
    return this == V1_RESPONSE || this == V2_RESPONSE;
  }

  /** Whether the frame starting at {@code start} ends with a CRC32 (v2, protocol version 2, switch bit 0 set). */
  boolean hasCrc(ByteBuf frame, int start) {
    return protocol == PROTOCOL_V2
        && frame.getByte(start + 1) == V2_VERSION_WITH_CRC
        && (frame.getByte(start + switchAt) & CRC_SWITCH_BIT) != 0;
  }
}
