package io.metaproxy.host.testing;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal protocol for the host's own tests, so the message path is tested apart from any real codec plugin:
 * {@code int length | byte type | long id | short count | (short klen, key, short vlen, value)* | body}, where length
 * counts everything after itself. Types: 0 request, 1 response, 2 oneway, 3 heartbeat request, 4 error, 5 heartbeat
 * reply.
 */
public final class TestCodec implements Codec {
  public static final int REQUEST = 0;
  public static final int RESPONSE = 1;
  public static final int ONEWAY = 2;
  public static final int HEARTBEAT = 3;
  public static final int ERROR = 4;
  public static final int HEARTBEAT_REPLY = 5;
  public static final int MAX = 1 << 20;

  /** Registered through META-INF/services, as script engines are. */
  public static final class Factory implements CodecFactory {
    @Override
    public String name() {
      return "test";
    }

    @Override
    public Codec create() {
      return new TestCodec();
    }
  }

  /** What a test sees of a frame. */
  public record Frame(int type, long id, Map<String, String> headers, String body) {}

  @Override
  public DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException {
    if (in.readableBytes() < 4) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    int length = in.getInt(in.readerIndex());
    if (length < 11 || length > MAX) {
      throw new CodecException("bad frame length " + length);
    }
    if (in.readableBytes() < 4 + length) {
      return DecodeStatus.WAIT_FOR_DATA;
    }
    Frame frame = parse(in.readSlice(4 + length));
    metadata.setRequestId(frame.id());
    metadata.setMessageType(switch (frame.type()) {
      case REQUEST -> MessageType.REQUEST;
      case RESPONSE -> MessageType.RESPONSE;
      case ONEWAY -> MessageType.ONEWAY;
      case HEARTBEAT, HEARTBEAT_REPLY -> MessageType.HEARTBEAT;
      case ERROR -> MessageType.ERROR;
      default -> throw new CodecException("bad type " + frame.type());
    });
    metadata.setCodecState(frame);
    frame.headers().forEach(metadata::put);
    metadata.setOperation(frame.headers().get("method"));
    return DecodeStatus.DONE;
  }

  /** Parses one whole frame (reads from the buffer's reader index, without moving it). */
  public static Frame parse(ByteBuf frame) {
    int at = frame.readerIndex() + 4;
    int type = frame.getByte(at);
    long id = frame.getLong(at + 1);
    int count = frame.getShort(at + 9);
    at += 11;
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      int keyLength = frame.getShort(at);
      String key = frame.toString(at + 2, keyLength, StandardCharsets.UTF_8);
      at += 2 + keyLength;
      int valueLength = frame.getShort(at);
      String value = frame.toString(at + 2, valueLength, StandardCharsets.UTF_8);
      at += 2 + valueLength;
      headers.put(key, value);
    }
    String body = frame.toString(at, frame.writerIndex() - at, StandardCharsets.UTF_8);
    return new Frame(type, id, headers, body);
  }

  /** Writes {@code frame} to {@code out}. */
  public static void write(Frame frame, ByteBuf out) {
    int start = out.writerIndex();
    out.writeInt(0).writeByte(frame.type()).writeLong(frame.id()).writeShort(frame.headers().size());
    frame.headers().forEach((key, value) -> {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      byte[] v = value.getBytes(StandardCharsets.UTF_8);
      out.writeShort(k.length).writeBytes(k).writeShort(v.length).writeBytes(v);
    });
    out.writeBytes(frame.body().getBytes(StandardCharsets.UTF_8));
    out.setInt(start, out.writerIndex() - start - 4);
  }

  @Override
  public void encode(Metadata metadata, Mutation mutation, ByteBuf out) {
    Frame original = (Frame) metadata.codecState();
    Map<String, String> headers = new LinkedHashMap<>(original.headers());
    mutation.forEach((key, value) -> {
      if (value == null) {
        headers.remove(key);
      } else {
        headers.put(key, value);
      }
    });
    write(new Frame(original.type(), metadata.requestId(), headers, original.body()), out);
  }

  @Override
  public void onError(Metadata request, ErrorType error, String message, ByteBuf out) {
    write(new Frame(ERROR, request.requestId(), Map.of("error", error.scriptName(), "message", message), ""), out);
  }

  @Override
  public boolean replyToHeartbeat(Metadata heartbeat, ByteBuf out) {
    if (((Frame) heartbeat.codecState()).type() != HEARTBEAT) {
      return false;
    }
    write(new Frame(HEARTBEAT_REPLY, heartbeat.requestId(), Map.of(), ""), out);
    return true;
  }

  @Override
  public boolean rewriteRequestId(ByteBuf frame, long requestId) {
    frame.setLong(frame.readerIndex() + 5, requestId);
    return true;
  }
}
