package io.metaproxy.bench.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * Dubbo 2.x framing with Hessian2 bodies, the default protocol of Dubbo 2 and of Dubbo 3's {@code dubbo://}.
 *
 * <pre>
 * 0      2      3        4               12             16
 * +------+------+--------+---------------+--------------+-------------+
 * | dabb | flag | status | request id    | body length  | body ...    |
 * +------+------+--------+---------------+--------------+-------------+
 * flag: 0x80 request, 0x40 two-way, 0x20 event (heartbeat), low 5 bits serialization (2 = hessian2)
 * </pre>
 *
 * A request body is, in Hessian2: Dubbo version, service path, service version, method, parameter descriptor, the
 * arguments, then the attachments map. A response body is a response type (1 = RESPONSE_VALUE) and the value.
 */
public final class DubboProtocol implements BenchProtocol {
  public static final DubboProtocol INSTANCE = new DubboProtocol();

  public static final int HEADER_LENGTH = 16;
  public static final short MAGIC = (short) 0xdabb;
  public static final int FLAG_REQUEST = 0x80;
  public static final int FLAG_TWO_WAY = 0x40;
  public static final int FLAG_EVENT = 0x20;
  public static final int SERIALIZATION_HESSIAN2 = 2;
  public static final int STATUS_OK = 20;
  /** The response type of a plain return value, without attachments. */
  public static final int RESPONSE_VALUE = 1;
  /** The version Dubbo 2.7 and 3.x clients write; decoders use it to expect an attachments map. */
  public static final String DUBBO_VERSION = "2.0.2";
  /** Frames larger than this are taken for garbage rather than waited for. */
  static final int MAX_BODY_LENGTH = 64 << 20;

  private DubboProtocol() {}

  @Override
  public String name() {
    return "dubbo";
  }

  @Override
  public boolean peek(ByteBuf in, Frame frame) throws MalformedFrameException {
    int start = in.readerIndex();
    if (in.readableBytes() < HEADER_LENGTH) {
      return false;
    }
    if (in.getShort(start) != MAGIC) {
      throw new MalformedFrameException(String.format("bad Dubbo magic 0x%04x", in.getShort(start) & 0xffff));
    }
    int bodyLength = in.getInt(start + 12);
    if (bodyLength < 0 || bodyLength > MAX_BODY_LENGTH) {
      throw new MalformedFrameException("Dubbo body length out of range: " + bodyLength);
    }
    int length = HEADER_LENGTH + bodyLength;
    if (in.readableBytes() < length) {
      return false;
    }
    int flag = in.getByte(start + 2);
    int status = in.getByte(start + 3) & 0xff;
    long id = in.getLong(start + 4);
    boolean event = (flag & FLAG_EVENT) != 0;
    FrameKind kind;
    if ((flag & FLAG_REQUEST) != 0) {
      boolean twoWay = (flag & FLAG_TWO_WAY) != 0;
      kind = event ? (twoWay ? FrameKind.HEARTBEAT_REQUEST : FrameKind.HEARTBEAT_RESPONSE)
          : (twoWay ? FrameKind.REQUEST : FrameKind.ONE_WAY_REQUEST);
    } else {
      kind = event ? FrameKind.HEARTBEAT_RESPONSE : FrameKind.RESPONSE;
    }
    frame.set(length, id, kind, status == STATUS_OK, status);
    return true;
  }

  @Override
  public void writeRequestId(ByteBuf buf, int frameStart, long requestId) {
    buf.setLong(frameStart + 4, requestId);
  }

  @Override
  public byte[] request(RequestShape shape) {
    Hessian2Writer body = new Hessian2Writer()
        .writeString(DUBBO_VERSION)
        .writeString(shape.service())
        .writeString(shape.version())
        .writeString(shape.method())
        .writeString("Ljava/lang/String;")
        .writeString(shape.payload())
        .writeMapBegin()
        .writeString("path").writeString(shape.service())
        .writeString("interface").writeString(shape.service())
        .writeString("version").writeString(shape.version());
    for (Map.Entry<String, String> attachment : shape.attachments().entrySet()) {
      body.writeString(attachment.getKey()).writeString(attachment.getValue());
    }
    body.writeMapEnd();
    return frame(FLAG_REQUEST | FLAG_TWO_WAY | SERIALIZATION_HESSIAN2, 0, body.toByteArray());
  }

  @Override
  public byte[] response(int payloadSize) {
    byte[] body = new Hessian2Writer().writeInt(RESPONSE_VALUE).writeString(RequestShape.payload(payloadSize))
        .toByteArray();
    return frame(SERIALIZATION_HESSIAN2, STATUS_OK, body);
  }

  @Override
  public byte[] heartbeatResponse() {
    return frame(FLAG_EVENT | SERIALIZATION_HESSIAN2, STATUS_OK, new Hessian2Writer().writeNull().toByteArray());
  }

  @Override
  public byte[] heartbeatRequest() {
    return frame(FLAG_REQUEST | FLAG_TWO_WAY | FLAG_EVENT | SERIALIZATION_HESSIAN2, 0,
        new Hessian2Writer().writeNull().toByteArray());
  }

  private static byte[] frame(int flag, int status, byte[] body) {
    byte[] frame = new byte[HEADER_LENGTH + body.length];
    frame[0] = (byte) 0xda;
    frame[1] = (byte) 0xbb;
    frame[2] = (byte) flag;
    frame[3] = (byte) status;
    // bytes 4..11: request id 0, patched by the sender
    frame[12] = (byte) (body.length >>> 24);
    frame[13] = (byte) (body.length >>> 16);
    frame[14] = (byte) (body.length >>> 8);
    frame[15] = (byte) body.length;
    System.arraycopy(body, 0, frame, HEADER_LENGTH, body.length);
    return frame;
  }
}
