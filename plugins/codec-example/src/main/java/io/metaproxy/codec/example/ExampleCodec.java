package io.metaproxy.codec.example;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A codec for a small private protocol, written the way we would like every codec to be: decode reads only what
 * routing needs, encode copies what it does not change, and every error becomes a frame the client understands.
 *
 * <p>The wire format (integers big-endian, strings UTF-8):
 *
 * <pre>
 * magic 'M' 'P' | version 1 | type | request id | header count | headers                        | body length | body
 *       2       |     1     |  1   |     8      |      2       | ([u16 len] key [u16 len] value)* |      4      |
 * </pre>
 *
 * Types: request, response, oneway, ping and pong (the heartbeat and its answer), and error. The headers are the
 * message's {@link Metadata}: routes and filters match on them, and a {@link Mutation} rewrites them.
 *
 * <p>The host makes one instance per connection and calls it on one thread, so a codec may keep per-connection state
 * in fields. This one needs none.
 */
final class ExampleCodec implements Codec {
  static final short MAGIC = 0x4D50; // "MP"
  static final byte VERSION = 1;

  static final byte REQUEST = 1;
  static final byte RESPONSE = 2;
  static final byte ONEWAY = 3;
  static final byte PING = 4;
  static final byte PONG = 5;
  static final byte ERROR = 6;

  private static final int TYPE_AT = 3; // after the magic and the version
  private static final int REQUEST_ID_AT = 4;
  private static final int HEADER_COUNT_AT = 12;
  private static final int FIXED_LENGTH = 14; // everything before the first header
  private static final int MAX_STRING_BYTES = 0xFFFF; // a string's length is an unsigned 16-bit number
  /** Larger bodies are refused before they are buffered: else one bad length makes the proxy hold 2 GiB. */
  static final int MAX_BODY_BYTES = 16 << 20;

  /**
   * Decodes one frame. Decode runs for every message the proxy sees, so it reads the fixed part and the headers and
   * skips the body, which no route needs.
   */
  @Override
  public DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException {
    // 1. Nothing happens until the whole frame is there; the host calls again when more bytes arrive.
    int frameLength = frameLength(in);
    if (frameLength < 0) {
      return DecodeStatus.WAIT_FOR_DATA;
    }

    // 2. The fixed part: what kind of message, and the id that pairs a response with its request.
    int start = in.readerIndex();
    metadata.setMessageType(messageType(in.getByte(start + TYPE_AT)));
    metadata.setRequestId(in.getLong(start + REQUEST_ID_AT));

    // 3. The headers become the metadata that routes and filters see.
    int index = start + FIXED_LENGTH;
    int headerCount = in.getUnsignedShort(start + HEADER_COUNT_AT);
    for (int i = 0; i < headerCount; i++) {
      String key = readString(in, index);
      index += 2 + in.getUnsignedShort(index);
      String value = readString(in, index);
      index += 2 + in.getUnsignedShort(index);
      metadata.put(key, value);
    }
    // This protocol's convention: a "method" header names the call in stats and logs.
    metadata.setOperation(metadata.get("method"));

    // 4. The body is skipped, not read: encode copies it from the original frame if it has to.
    int bodyLength = in.getInt(index);
    metadata.setHeaderSize(index + 4 - start);
    metadata.setBodySize(bodyLength);
    in.skipBytes(frameLength);
    return DecodeStatus.DONE;
  }

  /**
   * The length of the frame at the reader index, or -1 while some of it is missing. Reads lengths only, so that
   * decode never does work twice for a frame that arrives in pieces.
   */
  private static int frameLength(ByteBuf in) throws CodecException {
    int start = in.readerIndex();
    int end = in.writerIndex();
    if (end - start >= 2 && in.getShort(start) != MAGIC) {
      throw new CodecException("not an example-protocol frame: bad magic"); // the host closes the connection
    }
    if (end - start < FIXED_LENGTH) {
      return -1;
    }
    if (in.getByte(start + 2) != VERSION) {
      throw new CodecException("unsupported example-protocol version " + in.getByte(start + 2));
    }
    int index = start + FIXED_LENGTH;
    int strings = 2 * in.getUnsignedShort(start + HEADER_COUNT_AT); // a key and a value per header
    for (int i = 0; i < strings; i++) {
      if (end - index < 2) {
        return -1;
      }
      index += 2 + in.getUnsignedShort(index);
    }
    if (end - index < 4) {
      return -1;
    }
    int bodyLength = in.getInt(index);
    if (bodyLength < 0 || bodyLength > MAX_BODY_BYTES) {
      throw new CodecException("body length " + bodyLength + " outside 0.." + MAX_BODY_BYTES);
    }
    long frameEnd = (long) index + 4 + bodyLength;
    return frameEnd > end ? -1 : (int) (frameEnd - start);
  }

  private static MessageType messageType(byte type) throws CodecException {
    return switch (type) {
      case REQUEST -> MessageType.REQUEST;
      case RESPONSE -> MessageType.RESPONSE;
      case ONEWAY -> MessageType.ONEWAY;
      case PING, PONG -> MessageType.HEARTBEAT;
      case ERROR -> MessageType.ERROR;
      default -> throw new CodecException("unknown frame type " + type);
    };
  }

  /**
   * Writes the message with the mutation applied. The host calls this only when a filter or route changed
   * something; an untouched message travels as its original bytes. The headers are rebuilt (the frame's, which are
   * exactly the metadata, minus every key the mutation touches, then every key it sets) and the body is copied from
   * the original frame, never parsed.
   */
  @Override
  public void encode(Metadata metadata, Mutation mutation, ByteBuf out) {
    ByteBuf frame = metadata.originalFrame();
    writeFixedPart(out, frame.getByte(frame.readerIndex() + TYPE_AT), metadata.requestId(), 0);

    int headerCountAt = out.writerIndex() - 2; // the count is known once the headers are written
    HeaderWriter headers = new HeaderWriter(out);
    metadata.forEach((key, value) -> {
      if (!mutation.touches(key)) {
        headers.write(key, value);
      }
    });
    mutation.forEach((key, value) -> {
      if (value != null) { // null means: remove the key
        headers.write(key, value);
      }
    });
    out.setShort(headerCountAt, headers.count);

    int bodyLength = metadata.bodySize();
    out.writeInt(bodyLength);
    out.writeBytes(frame, frame.writerIndex() - bodyLength, bodyLength); // the body ends the frame
  }

  /** Answers a request the proxy cannot serve: an error frame with the request's id, the reason as its body. */
  @Override
  public void onError(Metadata request, ErrorType error, String message, ByteBuf out) {
    writeFixedPart(out, ERROR, request.requestId(), 1);
    writeString(out, "error");
    writeString(out, error.scriptName()); // e.g. "route_not_found"
    int bodyLengthAt = out.writerIndex();
    out.writeInt(0);
    out.setInt(bodyLengthAt, out.writeCharSequence(message, StandardCharsets.UTF_8));
  }

  /** Pings are answered with a pong of the same id; a pong is itself the answer. */
  @Override
  public boolean replyToHeartbeat(Metadata heartbeat, ByteBuf out) {
    ByteBuf frame = heartbeat.originalFrame();
    if (frame.getByte(frame.readerIndex() + TYPE_AT) != PING) {
      return false;
    }
    writeFixedPart(out, PONG, heartbeat.requestId(), 0);
    out.writeInt(0); // no body
    return true;
  }

  /** The ping the host sends on idle upstream connections. */
  @Override
  public boolean writeHeartbeat(long requestId, ByteBuf out) {
    writeFixedPart(out, PING, requestId, 0);
    out.writeInt(0);
    return true;
  }

  /** The id sits at a fixed offset, so the host can give a request a new id without re-encoding it. */
  @Override
  public boolean rewriteRequestId(ByteBuf frame, long requestId) {
    frame.setLong(frame.readerIndex() + REQUEST_ID_AT, requestId);
    return true;
  }

  /** Everything before the headers: magic, version, type, request id, header count. */
  private static void writeFixedPart(ByteBuf out, byte type, long requestId, int headerCount) {
    out.writeShort(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(type);
    out.writeLong(requestId);
    out.writeShort(headerCount);
  }

  private static String readString(ByteBuf in, int index) {
    return in.toString(index + 2, in.getUnsignedShort(index), StandardCharsets.UTF_8);
  }

  private static void writeString(ByteBuf out, String text) {
    int lengthAt = out.writerIndex();
    out.writeShort(0);
    int length = out.writeCharSequence(text, StandardCharsets.UTF_8);
    if (length > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("header longer than " + MAX_STRING_BYTES + " bytes in UTF-8");
    }
    out.setShort(lengthAt, length);
  }

  /** Writes headers and counts them, for the count field that precedes them. */
  private static final class HeaderWriter {
    private final ByteBuf out;
    private int count;

    HeaderWriter(ByteBuf out) {
      this.out = out;
    }

    void write(String key, String value) {
      writeString(out, key);
      writeString(out, value);
      count++;
    }
  }
}
