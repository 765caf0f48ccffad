package io.metaproxy.codec.thrift;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The Thrift codec of one connection: framed or unframed transport, binary (strict or not) or compact protocol,
 * detected from the connection's first bytes and then held to. See the {@linkplain io.metaproxy.codec.thrift package
 * documentation} for the metadata it exposes and what each mutation does on the wire.
 *
 * <p>Decoding reads the message header and skips the struct body in place (framed messages are not even skipped:
 * the frame length says where they end), so arguments are never deserialized. A message whose name the connection
 * has used before decodes without allocating anything but what {@link Metadata} itself holds.
 *
 * <p>Buffer ownership follows {@link Codec}: this codec reads the buffers it is given, writes into {@code out}, and
 * keeps no reference to any of them once a call returns. Not thread-safe: one instance per connection, called on its
 * event loop.
 */
public final class ThriftCodec implements Codec {

  /** libthrift's own default maximum frame size ({@code TConfiguration.DEFAULT_MAX_FRAME_SIZE}). */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 16_384_000;

  /** Metadata key: the method name, without any multiplexed service prefix. Present on every message. */
  public static final String METHOD = "method";

  /**
   * Metadata key: the service a {@code TMultiplexedProtocol} client named ({@code "Service:method"} on the wire).
   * Absent on plain names, and on replies, which a {@code TMultiplexedProcessor} sends back with the method alone.
   */
  public static final String SERVICE = "service";

  /** TApplicationException type codes (libthrift's {@code TApplicationException} constants). */
  static final int UNKNOWN = 0;
  static final int UNKNOWN_METHOD = 1;
  static final int INTERNAL_ERROR = 6;
  static final int PROTOCOL_ERROR = 7;

  private static final System.Logger LOG = System.getLogger(ThriftCodec.class.getName());
  /** Mutation keys already warned about, so a route that sets one on every message warns once per process. */
  private static final Set<String> WARNED_KEYS = ConcurrentHashMap.newKeySet();
  private static final int MAX_WARNED_KEYS = 256;
  private static final BiConsumer<String, String> IGNORED_KEY_REPORTER = (key, value) -> {
    if (!key.equals(SERVICE) && !key.equals(METHOD)) {
      warnOnce(key, "Thrift binary/compact messages have no header map to carry it; ignored");
    }
  };

  private final int maxMessageSize;
  private final String sizeLimitDescription;
  private final MessageReader reader = new MessageReader();
  private final MessageNames names = new MessageNames();

  /** This connection's format: null until the first message has shown it. */
  private ThriftFormat format;

  /**
   * @param maxMessageSize the largest message accepted, in bytes: a frame's announced length, or an unframed
   *     message's whole size. Larger ones fail decoding with a {@link CodecException}.
   */
  public ThriftCodec(int maxMessageSize) {
    if (maxMessageSize < 16) {
      throw new IllegalArgumentException("maxMessageSize must allow at least a message header: " + maxMessageSize);
    }
    this.maxMessageSize = maxMessageSize;
    this.sizeLimitDescription = "the " + maxMessageSize + "-byte message size limit";
  }

  /**
   * Decodes one message: the 4-byte length and the message for the framed transport, the message alone otherwise.
   * Metadata: {@link #METHOD}, {@link #SERVICE} when multiplexed, the seqid as request id (read as unsigned 32 bits),
   * the operation ({@code service/method} or {@code method}), the message type (CALL as REQUEST, ONEWAY as ONEWAY,
   * REPLY as RESPONSE, EXCEPTION as ERROR) and the {@link ThriftFormat} as codec state.
   *
   * @throws CodecException when the bytes are not Thrift, exceed the size limit, or switch format mid-connection
   */
  @Override
  public DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException {
    int start = in.readerIndex();
    int end = in.writerIndex();
    ThriftFormat detected = ThriftFormat.detect(in, start, end, maxMessageSize);
    if (detected == null) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    if (format == null) {
      format = detected;
    } else if (detected != format) {
      throw new CodecException("Thrift connection switched from " + format + " to " + detected);
    }
    try {
      int bodyIndex;
      int messageEnd;
      if (format.framed) {
        int frameLength = in.getInt(start); // ThriftFormat.detect checked 0 <= frameLength <= maxMessageSize
        if (end - start - ThriftFormat.FRAME_PREFIX < frameLength) {
          return DecodeStatus.WAIT_FOR_DATA;
        }
        messageEnd = start + ThriftFormat.FRAME_PREFIX + frameLength;
        reader.reset(in, messageEnd, messageEnd, "its frame");
        bodyIndex = reader.readHeader(format.protocol, start + ThriftFormat.FRAME_PREFIX);
      } else {
        reader.reset(in, end, (long) start + maxMessageSize, sizeLimitDescription);
        bodyIndex = reader.readHeader(format.protocol, start);
        if (bodyIndex < 0) {
          return DecodeStatus.WAIT_FOR_DATA;
        }
        messageEnd = reader.skipStruct(format.protocol, bodyIndex);
        if (messageEnd < 0) {
          return DecodeStatus.WAIT_FOR_DATA;
        }
      }
      MessageNames.Name name = names.lookup(in, reader.nameIndex, reader.nameLength);
      metadata.setMessageType(messageType(reader.messageType));
      metadata.setRequestId(reader.seqId & 0xffff_ffffL);
      metadata.setOperation(name.operation);
      metadata.put(METHOD, name.method);
      if (name.service != null) {
        metadata.put(SERVICE, name.service);
      }
      metadata.setHeaderSize(bodyIndex - start);
      metadata.setBodySize(messageEnd - bodyIndex);
      metadata.setCodecState(format);
      in.readerIndex(messageEnd);
      return DecodeStatus.DONE;
    } finally {
      reader.clear();
    }
  }

  /**
   * Rewrites the original message's header -- the frame length, the name and the seqid -- and copies its body
   * unchanged. The seqid becomes the low 32 bits of {@link Metadata#requestId()}; {@link #SERVICE} and {@link
   * #METHOD} mutations rename the message; other keys are ignored (and logged once), see the package documentation.
   */
  @Override
  public void encode(Metadata metadata, Mutation mutation, ByteBuf out) {
    ByteBuf frame = metadata.originalFrame();
    if (frame == null) {
      throw new IllegalArgumentException("no original frame to encode: " + metadata);
    }
    int start = frame.readerIndex();
    int end = frame.writerIndex();
    try {
      ThriftFormat frameFormat =
          metadata.codecState() instanceof ThriftFormat decoded ? decoded : ThriftFormat.detect(frame, start, end,
              Integer.MAX_VALUE);
      if (frameFormat == null) {
        throw new IllegalArgumentException("not a Thrift message: " + metadata);
      }
      ThriftProtocol protocol = frameFormat.protocol;
      reader.reset(frame, end, end, "its frame");
      int bodyIndex = reader.readHeader(protocol, frameFormat.framed ? start + ThriftFormat.FRAME_PREFIX : start);
      if (bodyIndex < 0) {
        throw new IllegalArgumentException("not a whole Thrift message: " + metadata);
      }
      byte messageType = reader.messageType;
      int seqId = (int) metadata.requestId();
      String newName = mutation.isEmpty() ? null : renamed(names.lookup(frame, reader.nameIndex, reader.nameLength),
          mutation);

      int outStart = out.writerIndex();
      if (frameFormat.framed) {
        out.writeInt(0); // the frame length, set below
      }
      if (newName == null) {
        protocol.writeHeaderStart(out, messageType, seqId, reader.nameLength);
        out.writeBytes(frame, reader.nameIndex, reader.nameLength);
      } else {
        byte[] nameUtf8 = newName.getBytes(StandardCharsets.UTF_8);
        protocol.writeHeaderStart(out, messageType, seqId, nameUtf8.length);
        out.writeBytes(nameUtf8);
      }
      protocol.writeHeaderEnd(out, messageType, seqId);
      out.writeBytes(frame, bodyIndex, end - bodyIndex);
      if (frameFormat.framed) {
        out.setInt(outStart, out.writerIndex() - outStart - ThriftFormat.FRAME_PREFIX);
      }
    } catch (CodecException e) {
      throw new IllegalArgumentException("not a Thrift message: " + metadata, e);
    } finally {
      reader.clear();
    }
  }

  /**
   * Answers with a {@code TApplicationException}: an EXCEPTION message carrying the request's method name and seqid,
   * in the request's transport and protocol, whose message reads {@code "metaproxy: <error_type>: <message>"}. Writes
   * nothing for a ONEWAY request: its client reads no reply, and one would be taken for the answer to a later call.
   */
  @Override
  public void onError(Metadata request, ErrorType error, String message, ByteBuf out) {
    if (request.messageType() == MessageType.ONEWAY) {
      return;
    }
    ThriftFormat replyFormat;
    if (request.codecState() instanceof ThriftFormat decoded) {
      replyFormat = decoded;
    } else {
      // nothing decoded: answer in this connection's format, else in libthrift's default (TSocket + TBinaryProtocol)
      replyFormat = format != null ? format : ThriftFormat.UNFRAMED_BINARY;
    }
    String method = request.get(METHOD);
    byte[] nameUtf8 = method == null ? new byte[0] : method.getBytes(StandardCharsets.UTF_8);
    String reason = "metaproxy: " + error.scriptName() + (message == null || message.isEmpty() ? "" : ": " + message);
    int seqId = (int) request.requestId();

    ThriftProtocol protocol = replyFormat.protocol;
    int outStart = out.writerIndex();
    if (replyFormat.framed) {
      out.writeInt(0); // the frame length, set below
    }
    protocol.writeHeaderStart(out, ThriftProtocol.EXCEPTION, seqId, nameUtf8.length);
    out.writeBytes(nameUtf8);
    protocol.writeHeaderEnd(out, ThriftProtocol.EXCEPTION, seqId);
    protocol.writeApplicationException(out, reason.getBytes(StandardCharsets.UTF_8), applicationExceptionType(error));
    if (replyFormat.framed) {
      out.setInt(outStart, out.writerIndex() - outStart - ThriftFormat.FRAME_PREFIX);
    }
  }

  /**
   * Patches the seqid in place: always possible for the binary protocols (a fixed 4 bytes); for the compact protocol
   * only when the new id's varint is as long as the old one's, since anything else would change the frame's length.
   */
  @Override
  public boolean rewriteRequestId(ByteBuf frame, long requestId) {
    int start = frame.readerIndex();
    int end = frame.writerIndex();
    try {
      ThriftFormat frameFormat = ThriftFormat.detect(frame, start, end, Integer.MAX_VALUE);
      if (frameFormat == null) {
        return false;
      }
      reader.reset(frame, end, end, "its frame");
      if (reader.readHeader(frameFormat.protocol, frameFormat.framed ? start + ThriftFormat.FRAME_PREFIX : start) < 0) {
        return false;
      }
      int seqId = (int) requestId;
      if (frameFormat.protocol == ThriftProtocol.COMPACT) {
        if (ThriftProtocol.varint32Size(seqId) != reader.seqIdLength) {
          return false;
        }
        ThriftProtocol.setVarint32(frame, reader.seqIdIndex, seqId);
      } else {
        frame.setInt(reader.seqIdIndex, seqId);
      }
      return true;
    } catch (CodecException e) {
      return false;
    } finally {
      reader.clear();
    }
  }

  /** The TApplicationException type a Thrift client sees for each error. */
  static int applicationExceptionType(ErrorType error) {
    return switch (error) {
      // no route matched this method: to the client, the service does not know it
      case ROUTE_NOT_FOUND -> UNKNOWN_METHOD;
      case BAD_REQUEST -> PROTOCOL_ERROR;
      case UNSPECIFIED -> UNKNOWN;
      case CLUSTER_NOT_FOUND, NO_HEALTHY_UPSTREAM, UPSTREAM_FAILURE, TIMEOUT, OVER_LIMIT, UNAUTHORIZED,
          SCRIPT_ERROR -> INTERNAL_ERROR;
    };
  }

  private static MessageType messageType(byte thriftType) {
    return switch (thriftType) {
      case ThriftProtocol.CALL -> MessageType.REQUEST;
      case ThriftProtocol.ONEWAY -> MessageType.ONEWAY;
      case ThriftProtocol.REPLY -> MessageType.RESPONSE;
      default -> MessageType.ERROR; // EXCEPTION; MessageReader accepts no other type
    };
  }

  /**
   * The message name after {@code mutation}, or null when the mutation leaves it as it is. A {@code service} value
   * replaces (or adds) the multiplexed prefix, removing {@code service} (or setting it to "") drops the prefix, and a
   * {@code method} value replaces the part after it. Everything else is reported and ignored.
   */
  private static String renamed(MessageNames.Name name, Mutation mutation) {
    String service = name.service;
    String method = name.method;
    boolean changed = false;
    int handled = 0;
    if (mutation.touches(SERVICE)) {
      handled++;
      String value = mutation.get(SERVICE);
      if (value == null || value.isEmpty()) {
        changed = service != null;
        service = null;
      } else if (value.indexOf(MessageNames.SEPARATOR) >= 0) {
        warnOnce(SERVICE, "a service name containing ':' would be split differently by TMultiplexedProcessor; "
            + "ignored");
      } else {
        changed = !value.equals(service);
        service = value;
      }
    }
    if (mutation.touches(METHOD)) {
      handled++;
      String value = mutation.get(METHOD);
      if (value == null || value.isEmpty()) {
        warnOnce(METHOD, "a Thrift message cannot lose its method name; removal ignored");
      } else if (!value.equals(method)) {
        changed = true;
        method = value;
      }
    }
    if (mutation.size() > handled) {
      mutation.forEach(IGNORED_KEY_REPORTER);
    }
    if (!changed) {
      return null;
    }
    return service == null ? method : service + MessageNames.SEPARATOR + method;
  }

  /** Logs a mutation key the codec cannot apply: a warning the first time per key, debug afterwards. */
  private static void warnOnce(String key, String reason) {
    if (!WARNED_KEYS.contains(key) && WARNED_KEYS.size() < MAX_WARNED_KEYS && WARNED_KEYS.add(key)) {
      LOG.log(Level.WARNING, "thrift codec: mutation of key '" + key + "': " + reason
          + " (further occurrences are logged at DEBUG)");
    } else if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "thrift codec: mutation of key '" + key + "': " + reason);
    }
  }
}
