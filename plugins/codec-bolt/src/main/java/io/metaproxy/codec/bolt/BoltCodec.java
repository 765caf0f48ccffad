package io.metaproxy.codec.bolt;

import static io.metaproxy.codec.bolt.BoltLayout.CMD_HEARTBEAT;
import static io.metaproxy.codec.bolt.BoltLayout.CMD_RPC_RESPONSE;
import static io.metaproxy.codec.bolt.BoltLayout.CRC_LENGTH;
import static io.metaproxy.codec.bolt.BoltLayout.PROTOCOL_V1;
import static io.metaproxy.codec.bolt.BoltLayout.PROTOCOL_V2;
import static io.metaproxy.codec.bolt.BoltLayout.TYPE_ONEWAY;
import static io.metaproxy.codec.bolt.BoltLayout.TYPE_REQUEST;
import static io.metaproxy.codec.bolt.BoltLayout.TYPE_RESPONSE;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The SOFA Bolt protocol (v1, and v2 with its optional CRC32) for one connection. See {@link BoltLayout} for the
 * frame and the package documentation for the metadata keys.
 *
 * <p>The codec reads the fixed part, the class name and the header map, and never the content (the serialized
 * request or response object): routing needs none of it, and skipping it keeps the proxy cheap. Encoding copies the
 * class name and content as they are and rewrites only the header map.
 *
 * <p>Not thread-safe; the host calls an instance on one event loop only.
 */
final class BoltCodec implements Codec {
  static final String KEY_CLASS = "class";
  static final String KEY_SERVICE = "service";
  static final String KEY_METHOD = "method";
  static final String KEY_STATUS = "status";
  /** SOFA RPC's header keys: the target service's unique name and the method. */
  static final String SOFA_TARGET_SERVICE = "sofa_head_target_service";
  static final String SOFA_METHOD_NAME = "sofa_head_method_name";

  static final short STATUS_SUCCESS = 0x0000;
  static final short STATUS_SERVER_EXCEPTION = 0x0002;
  /** The command version (ver2) Bolt 1.x writes. */
  private static final byte COMMAND_VERSION = 1;
  /** Bolt's serializer code for Hessian 2, its default and the one error replies are written in. */
  private static final byte CODEC_HESSIAN2 = 1;
  private static final int NO_TIMEOUT = -1;

  /** Reused for CRC32s of v2 frames; one codec serves one connection on one thread. */
  private final CRC32 crc = new CRC32();
  /**
   * The last request or response class name seen on this connection and its bytes. A connection sends the same one
   * or two classes over and over (SOFA RPC: SofaRequest / SofaResponse), so comparing bytes saves a String per frame.
   */
  private byte[] lastClassBytes = new byte[0];
  private String lastClassName = "";

  @Override
  public DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException {
    int start = in.readerIndex();
    if (in.readableBytes() < 3) { // protocol code, and in v2 the version, then the type
      return DecodeStatus.WAIT_FOR_DATA;
    }
    byte protocol = in.getByte(start);
    if (protocol != PROTOCOL_V1 && protocol != PROTOCOL_V2) {
      throw new CodecException("not a Bolt frame: protocol code " + protocol);
    }
    byte type = in.getByte(start + BoltLayout.typeOffset(protocol));
    BoltLayout layout = BoltLayout.of(protocol, type);
    if (layout == null) {
      throw new CodecException("not a Bolt frame: command type " + type);
    }
    if (in.readableBytes() < layout.fixedLength) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    int classLength = in.getUnsignedShort(start + layout.lengthsAt);
    int headerLength = in.getUnsignedShort(start + layout.lengthsAt + 2);
    int contentLength = in.getInt(start + layout.lengthsAt + 4);
    if (contentLength < 0) {
      throw new CodecException("bad Bolt frame: content length " + contentLength);
    }
    long frameLength = (long) layout.fixedLength + classLength + headerLength + contentLength
        + (layout.hasCrc(in, start) ? CRC_LENGTH : 0);
    if (in.readableBytes() < frameLength) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    in.skipBytes((int) frameLength);

    metadata.setRequestId(in.getUnsignedInt(start + layout.requestIdAt));
    metadata.setHeaderSize(layout.fixedLength + classLength + headerLength);
    metadata.setBodySize(contentLength);
    if (in.getShort(start + layout.cmdCodeAt) == CMD_HEARTBEAT) {
      metadata.setMessageType(MessageType.HEARTBEAT);
      return DecodeStatus.DONE;
    }
    int headerStart = start + layout.fixedLength + classLength;
    if (BoltHeaders.isStringMap(in, headerStart, headerLength)) {
      BoltHeaders.read(in, headerStart, headerLength, metadata);
    }
    if (classLength > 0) {
      metadata.put(KEY_CLASS, className(in, start + layout.fixedLength, classLength));
    }
    if (layout.isResponse()) {
      short status = in.getShort(start + layout.timeoutOrStatusAt);
      metadata.setMessageType(status == STATUS_SUCCESS ? MessageType.RESPONSE : MessageType.ERROR);
      metadata.put(KEY_STATUS, statusName(status));
      return DecodeStatus.DONE;
    }
    metadata.setMessageType(type == TYPE_ONEWAY ? MessageType.ONEWAY : MessageType.REQUEST);
    nameTheCall(metadata);
    return DecodeStatus.DONE;
  }

  /** Adds {@code service} and {@code method} from SOFA RPC's header keys, and the operation for stats and logs. */
  private static void nameTheCall(Metadata metadata) {
    String service = metadata.get(KEY_SERVICE);
    if (service == null) {
      service = metadata.get(SOFA_TARGET_SERVICE);
      if (service != null) {
        metadata.put(KEY_SERVICE, service);
      }
    }
    String method = metadata.get(KEY_METHOD);
    if (method == null) {
      method = metadata.get(SOFA_METHOD_NAME);
      if (method != null) {
        metadata.put(KEY_METHOD, method);
      }
    }
    if (service != null && method != null) {
      metadata.setOperation(service + '/' + method);
    } else {
      metadata.setOperation(metadata.get(KEY_CLASS));
    }
  }

  private String className(ByteBuf in, int at, int length) {
    byte[] last = lastClassBytes;
    if (length == last.length) {
      int i = 0;
      while (i < length && in.getByte(at + i) == last[i]) {
        i++;
      }
      if (i == length) {
        return lastClassName;
      }
    }
    byte[] bytes = new byte[length];
    in.getBytes(at, bytes);
    lastClassBytes = bytes;
    lastClassName = new String(bytes, StandardCharsets.UTF_8);
    return lastClassName;
  }

  /** Bolt's ResponseStatus names, so that filters and logs read {@code SERVER_EXCEPTION} rather than 2. */
  static String statusName(short status) {
    return switch (status) {
      case 0x00 -> "SUCCESS";
      case 0x01 -> "ERROR";
      case 0x02 -> "SERVER_EXCEPTION";
      case 0x03 -> "UNKNOWN";
      case 0x04 -> "SERVER_THREADPOOL_BUSY";
      case 0x05 -> "ERROR_COMM";
      case 0x06 -> "NO_PROCESSOR";
      case 0x07 -> "TIMEOUT";
      case 0x08 -> "CLIENT_SEND_ERROR";
      case 0x09 -> "CODEC_EXCEPTION";
      case 0x10 -> "CONNECTION_CLOSED";
      case 0x11 -> "SERVER_SERIAL_EXCEPTION";
      case 0x12 -> "SERVER_DESERIAL_EXCEPTION";
      default -> Short.toString(status);
    };
  }

  /**
   * Copies the original frame with the metadata's request id and the mutation applied to the header map; the class
   * name and content travel unchanged, the header length is fixed up and a v2 CRC recomputed.
   *
   * @throws IllegalArgumentException when the mutated header map no longer fits Bolt's 16-bit header length
   */
  @Override
  public void encode(Metadata metadata, Mutation mutation, ByteBuf out) {
    ByteBuf frame = metadata.originalFrame();
    int start = frame.readerIndex();
    BoltLayout layout = BoltLayout.ofDecoded(frame, start);
    int classLength = frame.getUnsignedShort(start + layout.lengthsAt);
    int headerLength = frame.getUnsignedShort(start + layout.lengthsAt + 2);
    int contentLength = frame.getInt(start + layout.lengthsAt + 4);
    int classStart = start + layout.fixedLength;
    int headerStart = classStart + classLength;

    int outStart = out.writerIndex();
    out.writeBytes(frame, start, layout.lengthsAt + 2); // the fixed part up to and including classLen
    out.setInt(outStart + layout.requestIdAt, (int) metadata.requestId());
    int headerLengthAt = out.writerIndex();
    out.writeShort(0); // patched below, once the new header map is written
    out.writeInt(contentLength);
    out.writeBytes(frame, classStart, classLength);
    int newHeaderLength = BoltHeaders.rewrite(frame, headerStart, headerLength, mutation, out);
    if (newHeaderLength > Short.MAX_VALUE) { // Bolt reads headerLen as a signed short
      out.writerIndex(outStart);
      throw new IllegalArgumentException("Bolt header map too large after mutation: " + newHeaderLength + " bytes");
    }
    out.setShort(headerLengthAt, newHeaderLength);
    out.writeBytes(frame, headerStart + headerLength, contentLength);
    if (layout.hasCrc(frame, start)) {
      out.writeInt(crc32(out, outStart, out.writerIndex() - outStart));
    }
  }

  /**
   * Answers with a response of status SERVER_EXCEPTION whose content is an {@code RpcServerException} carrying
   * {@code "metaproxy: <error_type>: <message>"}: what a Bolt server sends when a request fails, so Bolt's client
   * throws {@code InvokeServerException} with that exception, and the message, as its cause. Every error type maps
   * to SERVER_EXCEPTION because it is the status whose client-side exception carries the server's message (TIMEOUT
   * or SERVER_THREADPOOL_BUSY would drop it); the error type is in the message instead.
   *
   * <p>The reply speaks the request's protocol version (v1 when there is no request frame) and copies its switch
   * byte, so a v2 client that asked for a CRC gets one.
   */
  @Override
  public void onError(Metadata request, ErrorType error, String message, ByteBuf out) {
    int outStart = out.writerIndex();
    BoltLayout layout = writeResponseStart(request.originalFrame(), true, CMD_RPC_RESPONSE, request.requestId(),
        CODEC_HESSIAN2, STATUS_SERVER_EXCEPTION, out);
    byte[] className = RpcServerExceptionBody.CLASS_NAME_BYTES;
    out.writeShort(className.length);
    out.writeShort(0); // no header map
    int contentLengthAt = out.writerIndex();
    out.writeInt(0); // patched once the content is written
    out.writeBytes(className);
    int contentStart = out.writerIndex();
    RpcServerExceptionBody.write(out, "metaproxy: " + error.scriptName() + ": " + message);
    out.setInt(contentLengthAt, out.writerIndex() - contentStart);
    if (layout.hasCrc(out, outStart)) {
      out.writeInt(crc32(out, outStart, out.writerIndex() - outStart));
    }
  }

  /**
   * Answers a heartbeat request the way Bolt's server does: a response with command code HEARTBEAT, status SUCCESS,
   * the request's id and nothing else (and, like Bolt's, without a CRC).
   */
  @Override
  public boolean replyToHeartbeat(Metadata heartbeat, ByteBuf out) {
    ByteBuf frame = heartbeat.originalFrame();
    if (frame == null) {
      return false;
    }
    int start = frame.readerIndex();
    BoltLayout layout = BoltLayout.ofDecoded(frame, start);
    if (layout.isResponse()) {
      return false; // a heartbeat ack expects no answer
    }
    byte codec = frame.getByte(start + layout.codecAt);
    writeResponseStart(frame, false, CMD_HEARTBEAT, heartbeat.requestId(), codec, STATUS_SUCCESS, out);
    out.writeShort(0);
    out.writeShort(0);
    out.writeInt(0);
    return true;
  }

  /** Writes a v1 heartbeat request, which every Bolt server (v1 or v2) accepts. */
  @Override
  public boolean writeHeartbeat(long requestId, ByteBuf out) {
    out.writeByte(PROTOCOL_V1);
    out.writeByte(TYPE_REQUEST);
    out.writeShort(CMD_HEARTBEAT);
    out.writeByte(COMMAND_VERSION);
    out.writeInt((int) requestId);
    out.writeByte(CODEC_HESSIAN2);
    out.writeInt(NO_TIMEOUT);
    out.writeShort(0);
    out.writeShort(0);
    out.writeInt(0);
    return true;
  }

  /**
   * Patches the 4-byte id in place. Bolt ids are 32 bits: the host's id is written as its low 32 bits, and decode
   * reads them back unsigned. A v2 frame with a CRC gets its CRC recomputed, also in place.
   */
  @Override
  public boolean rewriteRequestId(ByteBuf frame, long requestId) {
    int start = frame.readerIndex();
    BoltLayout layout = BoltLayout.ofDecoded(frame, start);
    frame.setInt(start + layout.requestIdAt, (int) requestId);
    if (layout.hasCrc(frame, start)) {
      int crcAt = frame.writerIndex() - CRC_LENGTH;
      frame.setInt(crcAt, crc32(frame, start, crcAt - start));
    }
    return true;
  }

  /**
   * Writes a response's fixed part up to (not including) classLen, in the protocol version of {@code request} (v1
   * when it is null). A v2 response takes the request's protocol version and, when {@code copySwitches}, its switch
   * byte (as Bolt's server does for RPC responses; its heartbeat acks have every switch off). Returns the layout.
   */
  private static BoltLayout writeResponseStart(ByteBuf request, boolean copySwitches, short cmdCode,
      long requestId, byte codec, short status, ByteBuf out) {
    boolean v2 = request != null && request.getByte(request.readerIndex()) == PROTOCOL_V2;
    out.writeByte(v2 ? PROTOCOL_V2 : PROTOCOL_V1);
    if (v2) {
      out.writeByte(request.getByte(request.readerIndex() + 1));
    }
    out.writeByte(TYPE_RESPONSE);
    out.writeShort(cmdCode);
    out.writeByte(COMMAND_VERSION);
    out.writeInt((int) requestId);
    out.writeByte(codec);
    if (v2) {
      int switchAt = request.readerIndex() + BoltLayout.V2_REQUEST.switchAt;
      out.writeByte(copySwitches ? request.getByte(switchAt) : 0);
    }
    out.writeShort(status);
    return v2 ? BoltLayout.V2_RESPONSE : BoltLayout.V1_RESPONSE;
  }

  private int crc32(ByteBuf buf, int index, int length) {
    crc.reset();
    crc.update(buf.nioBuffer(index, length));
    return (int) crc.getValue();
  }
}
