package io.metaproxy.codec.dubbo;

import static io.metaproxy.codec.dubbo.DubboProtocol.FLAG_EVENT;
import static io.metaproxy.codec.dubbo.DubboProtocol.FLAG_OFFSET;
import static io.metaproxy.codec.dubbo.DubboProtocol.FLAG_REQUEST;
import static io.metaproxy.codec.dubbo.DubboProtocol.FLAG_TWO_WAY;
import static io.metaproxy.codec.dubbo.DubboProtocol.HEADER_LENGTH;
import static io.metaproxy.codec.dubbo.DubboProtocol.HESSIAN2;
import static io.metaproxy.codec.dubbo.DubboProtocol.ID_OFFSET;
import static io.metaproxy.codec.dubbo.DubboProtocol.LENGTH_OFFSET;
import static io.metaproxy.codec.dubbo.DubboProtocol.MAGIC_HIGH;
import static io.metaproxy.codec.dubbo.DubboProtocol.MAGIC_LOW;
import static io.metaproxy.codec.dubbo.DubboProtocol.OK;
import static io.metaproxy.codec.dubbo.DubboProtocol.SERIALIZATION_MASK;
import static io.metaproxy.codec.dubbo.DubboProtocol.STATUS_OFFSET;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;

/**
 * The Dubbo 2.x/3.x exchange protocol with Hessian2 bodies, for one connection.
 *
 * <p><b>Frames.</b> A 16-byte header (magic {@code 0xdabb}; a flag byte with the request, two-way and event bits and
 * the serialization id; a status byte; an 8-byte request id; a 4-byte body length) and a Hessian2 body. A request body
 * is: Dubbo version, service path, service version, method name, parameter-types descriptor, the arguments, the
 * attachments map. A response body is a flag (value, null value or exception, each with or without attachments), the
 * value, and the attachments map when the flag says so. An error response (status other than OK) carries a string.
 *
 * <p><b>Metadata.</b> Requests: {@code interface} and {@code method} (from the body), {@code version} (the body's,
 * replaced by the {@code version} attachment as Dubbo's provider does), and every string-valued attachment under its
 * own name ({@code group}, {@code path}, {@code timeout}, application keys ...); an attachment named {@code interface}
 * or {@code method} never overrides the body. Operation {@code interface/method}. Responses: every string-valued
 * response attachment. Arguments and return values are skipped, never deserialized.
 *
 * <p><b>Mutation.</b> {@link #encode} applies it to the request attachments or the response attachments (turning a
 * response without attachments into the matching {@code *_WITH_ATTACHMENTS} form so the consumer sees them); the
 * bytes before the attachments map are copied unchanged. The body's interface, method and version are never
 * rewritten: setting {@code version} writes the attachment, which Dubbo's provider prefers.
 *
 * <p>Only Hessian2 (serialization id 2) bodies are read; heartbeats are accepted in any serialization.
 *
 * <p>Not thread-safe: one instance per connection, as {@link Codec} requires. Buffers: see {@link Codec}; this class
 * keeps no reference to them.
 */
public final class DubboCodec implements Codec {
  private static final String ERROR_PREFIX = "metaproxy: ";

  private final int maxBodyBytes;
  private final Hessian2Scanner scanner = new Hessian2Scanner();
  private final AttachmentRewriter rewriter = new AttachmentRewriter(scanner);

  /** A codec that refuses bodies larger than Dubbo's default payload limit (8 MiB). */
  public DubboCodec() {
    this(DubboProtocol.DEFAULT_MAX_BODY_BYTES);
  }

  /** A codec that refuses bodies larger than {@code maxBodyBytes}. */
  public DubboCodec(int maxBodyBytes) {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException {
    int start = in.readerIndex();
    int readable = in.readableBytes();
    // check the magic as soon as its bytes are there: a connection that speaks something else fails fast
    if (readable >= 1 && in.getByte(start) != MAGIC_HIGH || readable >= 2 && in.getByte(start + 1) != MAGIC_LOW) {
      throw new CodecException(String.format(
          "dubbo: bad magic 0x%s, expected 0xdabb", readable >= 2
              ? String.format("%04x", in.getUnsignedShort(start))
              : String.format("%02x", in.getUnsignedByte(start))));
    }
    if (readable < HEADER_LENGTH) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    int bodyLength = in.getInt(start + LENGTH_OFFSET);
    if (bodyLength < 0) {
      throw new CodecException("dubbo: negative body length " + bodyLength);
    }
    if (bodyLength > maxBodyBytes) {
      throw new CodecException(
          "dubbo: body length " + bodyLength + " exceeds the limit of " + maxBodyBytes + " bytes");
    }
    if (readable - HEADER_LENGTH < bodyLength) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    int flag = in.getUnsignedByte(start + FLAG_OFFSET);
    boolean request = (flag & FLAG_REQUEST) != 0;
    metadata.setRequestId(in.getLong(start + ID_OFFSET));
    metadata.setHeaderSize(HEADER_LENGTH);
    metadata.setBodySize(bodyLength);
    int bodyStart = start + HEADER_LENGTH;
    int bodyEnd = bodyStart + bodyLength;
    if ((flag & FLAG_EVENT) != 0) {
      metadata.setMessageType(MessageType.HEARTBEAT);
      metadata.setCodecState(!request
          ? EventKind.RESPONSE
          : (flag & FLAG_TWO_WAY) != 0 ? EventKind.TWO_WAY_REQUEST : EventKind.ONE_WAY_REQUEST);
    } else if (!request && in.getByte(start + STATUS_OFFSET) != OK) {
      // an error response: its body is only a message; nothing to route on
      metadata.setMessageType(MessageType.ERROR);
    } else {
      int serialization = flag & SERIALIZATION_MASK;
      if (serialization != HESSIAN2) {
        throw new CodecException("dubbo: serialization id " + serialization
            + " is not supported, only hessian2 (id 2); configure the Dubbo application with serialization=hessian2"
            + " (and prefer-serialization=hessian2 on Dubbo 3.2+)");
      }
      try {
        scanner.reset(in, bodyStart, bodyEnd);
        if (request) {
          metadata.setMessageType((flag & FLAG_TWO_WAY) != 0 ? MessageType.REQUEST : MessageType.ONEWAY);
          metadata.setCodecState(decodeRequestBody(start, metadata));
        } else {
          metadata.setMessageType(MessageType.RESPONSE);
          metadata.setCodecState(decodeResponseBody(start, metadata));
        }
      } finally {
        scanner.clear();
      }
    }
    in.readerIndex(bodyEnd);
    return DecodeStatus.DONE;
  }

  private FrameLayout decodeRequestBody(int frameStart, Metadata metadata) throws CodecException {
    scanner.skipString(); // the Dubbo protocol version, e.g. 2.0.2
    String service = scanner.readString();
    String version = scanner.readString();
    String method = scanner.readString();
    int descriptorLength = scanner.readStringChars();
    int arguments = descriptorLength <= 0 ? 0 : scanner.countDescriptorTypes(descriptorLength);
    for (int i = 0; i < arguments; i++) {
      scanner.skipValue();
    }
    if (service != null) {
      metadata.put("interface", service);
    }
    if (method != null) {
      metadata.put("method", method);
    }
    if (version != null) {
      metadata.put("version", version);
    }
    metadata.setOperation(service == null ? method : method == null ? service : service + "/" + method);
    return readAttachments(frameStart, metadata, FrameLayout.REQUEST, 0);
  }

  private FrameLayout decodeResponseBody(int frameStart, Metadata metadata) throws CodecException {
    int flag = scanner.readInt();
    if (flag < DubboProtocol.RESPONSE_WITH_EXCEPTION || flag > DubboProtocol.RESPONSE_NULL_VALUE_WITH_ATTACHMENTS) {
      throw scanner.malformed("unknown response flag " + flag);
    }
    int valueStart = scanner.position() - frameStart;
    if (DubboProtocol.hasValue(flag)) {
      scanner.skipValue(); // the return value or the exception
    }
    if (!DubboProtocol.hasAttachments(flag)) {
      int end = scanner.position() - frameStart;
      return new FrameLayout(end, end, scanner.classDefinitionCount(), false, flag, valueStart, false);
    }
    return readAttachments(frameStart, metadata, flag, valueStart);
  }

  /** Reads the attachments map at the scanner's position: string entries become metadata, the rest is skipped. */
  private FrameLayout readAttachments(int frameStart, Metadata metadata, int responseFlag, int valueStart)
      throws CodecException {
    int mapStart = scanner.position();
    int classesBefore = scanner.classDefinitionCount();
    scanner.resetClassUseTracking();
    if (scanner.atEnd()) {
      // no map at all (Dubbo always writes one); encode appends one here
      return new FrameLayout(mapStart - frameStart, mapStart - frameStart, classesBefore, false, responseFlag,
          valueStart, false);
    }
    boolean plainStringMap = false;
    if (scanner.peekTag() == 'N') {
      scanner.skipValue();
    } else {
      plainStringMap = true;
      scanner.readMapStart();
      boolean request = responseFlag == FrameLayout.REQUEST;
      while (!scanner.atEndMarker()) {
        if (!Hessian2Scanner.isStringTag(scanner.peekTag())) {
          scanner.skipValue(); // a non-string key: Dubbo's attachments are Map<String, Object>, but be lenient
          scanner.skipValue();
          plainStringMap = false;
          continue;
        }
        String key = scanner.readString();
        if (!Hessian2Scanner.isStringTag(scanner.peekTag())) {
          scanner.skipValue();
          plainStringMap = false;
          continue;
        }
        String value = scanner.readString();
        // the body names the service and method; an attachment must not redirect routing
        if (!request || !(key.equals("interface") || key.equals("method"))) {
          metadata.put(key, value);
        } else if (!metadata.contains(key)) {
          plainStringMap = false; // a key in the map that the Metadata lacks: absence no longer proves anything
        }
      }
      scanner.skipEndMarker();
    }
    return new FrameLayout(mapStart - frameStart, scanner.position() - frameStart, classesBefore,
        scanner.lowestClassDefinitionUsed() < classesBefore, responseFlag, valueStart, plainStringMap);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Copies the original frame up to the attachments map, writes the map with {@code mutation} applied, and fixes
   * the body length; the header carries {@link Metadata#requestId()}. When every attachment is a string (so the
   * Metadata shows them all) and the mutation only adds keys the Metadata lacks, the map is not scanned again: the
   * frame is copied up to the map's end marker and the new entries are written before it. Heartbeats and error responses have no
   * attachments: they are copied with only the id changed.
   */
  @Override
  public void encode(Metadata metadata, Mutation mutation, ByteBuf out) {
    ByteBuf frame = metadata.originalFrame();
    if (frame == null) {
      throw new IllegalArgumentException("dubbo: encode needs the message's original frame");
    }
    int base = frame.readerIndex();
    int frameLength = frame.readableBytes();
    int outStart = out.writerIndex();
    FrameLayout layout = mutation.isEmpty() ? null : layoutOf(metadata, frame);
    if (layout == null) {
      out.writeBytes(frame, base, frameLength);
      out.setLong(outStart + ID_OFFSET, metadata.requestId());
      return;
    }
    if (layout.plainStringMap() && rewriter.onlyAddsKeysNotIn(metadata, mutation)) {
      // the common case of a filter adding a header: everything up to the map's end marker as it is, the new
      // entries, the end marker; no second scan of the map
      int endMarker = base + layout.attachmentsEnd() - 1;
      out.writeBytes(frame, base, endMarker - base);
      out.setLong(outStart + ID_OFFSET, metadata.requestId());
      rewriter.appendEntries(mutation, out);
      out.writeBytes(frame, endMarker, frameLength - (endMarker - base));
      out.setInt(outStart + LENGTH_OFFSET, out.writerIndex() - outStart - HEADER_LENGTH);
      return;
    }
    out.writeBytes(frame, base, HEADER_LENGTH);
    out.setLong(outStart + ID_OFFSET, metadata.requestId());
    if (layout.isRequest()) {
      out.writeBytes(frame, base + HEADER_LENGTH, layout.attachmentsStart() - HEADER_LENGTH);
    } else {
      Hessian2Writer.writeCompactInt(out, DubboProtocol.withAttachments(layout.responseFlag()));
      out.writeBytes(frame, base + layout.responseValueStart(),
          layout.attachmentsStart() - layout.responseValueStart());
    }
    rewriter.writeMergedMap(frame, base, layout, mutation, out);
    out.writeBytes(frame, base + layout.attachmentsEnd(), frameLength - layout.attachmentsEnd());
    out.setInt(outStart + LENGTH_OFFSET, out.writerIndex() - outStart - HEADER_LENGTH);
  }

  /** The layout decode stored, or (for Metadata some other code filled) one found by decoding the frame again. */
  private FrameLayout layoutOf(Metadata metadata, ByteBuf frame) {
    Object state = metadata.codecState();
    if (state instanceof FrameLayout layout) {
      return layout;
    }
    MessageType type = metadata.messageType();
    if (state != null || !(type.isRequest() || type == MessageType.RESPONSE)) {
      return null;
    }
    Metadata scratch = new Metadata();
    try {
      decode(frame.duplicate(), scratch);
    } catch (CodecException e) {
      throw new IllegalArgumentException("dubbo: the original frame does not decode: " + e.getMessage(), e);
    }
    return scratch.codecState() instanceof FrameLayout layout ? layout : null;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes a response with a non-OK status (see {@link DubboProtocol#statusFor}) and the Hessian2 string {@code
   * "metaproxy: <error_type>: <message>"}, the body Dubbo's consumer reads as the error message of the RpcException
   * it raises.
   */
  @Override
  public void onError(Metadata request, ErrorType error, String message, ByteBuf out) {
    int start = out.writerIndex();
    writeHeader(out, HESSIAN2, DubboProtocol.statusFor(error), request.requestId());
    Hessian2Writer.writeString(out, ERROR_PREFIX + error.scriptName() + ": " + message);
    out.setInt(start + LENGTH_OFFSET, out.writerIndex() - start - HEADER_LENGTH);
  }

  /**
   * Answers a two-way heartbeat request with a heartbeat response of the same id and serialization, whose body is
   * the request's (the serialization's encoding of null), as Dubbo's HeartbeatHandler does.
   */
  @Override
  public boolean replyToHeartbeat(Metadata heartbeat, ByteBuf out) {
    if (heartbeat.codecState() != EventKind.TWO_WAY_REQUEST) {
      return false;
    }
    ByteBuf frame = heartbeat.originalFrame();
    int start = out.writerIndex();
    if (frame == null) {
      writeHeader(out, HESSIAN2 | FLAG_EVENT, OK, heartbeat.requestId());
      out.writeByte('N');
    } else {
      int serialization = frame.getUnsignedByte(frame.readerIndex() + FLAG_OFFSET) & SERIALIZATION_MASK;
      writeHeader(out, serialization | FLAG_EVENT, OK, heartbeat.requestId());
      out.writeBytes(frame, frame.readerIndex() + HEADER_LENGTH, frame.readableBytes() - HEADER_LENGTH);
    }
    out.setInt(start + LENGTH_OFFSET, out.writerIndex() - start - HEADER_LENGTH);
    return true;
  }

  /** Writes a two-way Hessian2 heartbeat request (body: Hessian null), as Dubbo's HeartbeatTimerTask sends. */
  @Override
  public boolean writeHeartbeat(long requestId, ByteBuf out) {
    writeHeader(out, FLAG_REQUEST | FLAG_TWO_WAY | FLAG_EVENT | HESSIAN2, 0, requestId);
    out.setInt(out.writerIndex() - 4, 1);
    out.writeByte('N');
    return true;
  }

  /** The id is the header's bytes 4 to 11: patched in place, the frame keeps its length. */
  @Override
  public boolean rewriteRequestId(ByteBuf frame, long requestId) {
    if (frame.readableBytes() < HEADER_LENGTH) {
      return false;
    }
    frame.setLong(frame.readerIndex() + ID_OFFSET, requestId);
    return true;
  }

  /** Writes a header with body length 0; the caller fixes the length once the body is written. */
  private static void writeHeader(ByteBuf out, int flag, int status, long requestId) {
    out.writeByte(MAGIC_HIGH);
    out.writeByte(MAGIC_LOW);
    out.writeByte(flag);
    out.writeByte(status);
    out.writeLong(requestId);
    out.writeInt(0);
  }
}
