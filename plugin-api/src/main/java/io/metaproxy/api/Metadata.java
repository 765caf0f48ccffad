package io.metaproxy.api;

import io.netty.buffer.ByteBuf;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.BiConsumer;

/**
 * What a codec learned from one frame: typed fields the framework needs (message type, request id, sizes, the
 * original bytes) and string key/values that routing, rate limiting and filters match on.
 *
 * <p>A codec fills a Metadata in {@link Codec#decode}; after that the host treats it as read-only, except for
 * {@link #setRequestId}, which the host uses when it multiplexes many clients onto one upstream connection. Changes a
 * filter wants go into a {@link Mutation}, never into the Metadata.
 *
 * <p>Keys are case-sensitive. The key/value store is a flat array searched linearly: RPC frames carry a handful of
 * headers, where a scan beats hashing and allocates nothing per lookup.
 *
 * <p><b>Buffer ownership.</b> The Metadata owns one reference to its {@link #originalFrame()}; the host sets it after
 * a successful decode and calls {@link #release()} when the message has been written or dropped. Codecs read it but
 * never retain or release it. Not thread-safe: a message lives on one event loop.
 */
public final class Metadata {
  private static final int INITIAL_PAIRS = 8;

  private MessageType messageType = MessageType.REQUEST;
  private long requestId;
  private long streamId;
  private int headerSize;
  private int bodySize;
  private String operation;
  private ByteBuf originalFrame;
  private Object codecState;
  private String[] pairs = new String[INITIAL_PAIRS * 2];
  private int pairCount;

  /** The kind of message; {@link MessageType#REQUEST} until the codec says otherwise. */
  public MessageType messageType() {
    return messageType;
  }

  public void setMessageType(MessageType messageType) {
    this.messageType = Objects.requireNonNull(messageType, "messageType");
  }

  /** The protocol's request id, which pairs a response with its request on one connection. */
  public long requestId() {
    return requestId;
  }

  /**
   * Sets the request id. Codecs call it in decode; the host calls it before {@link Codec#encode} or {@link
   * Codec#rewriteRequestId} when it gives a request a new id on a shared upstream connection.
   */
  public void setRequestId(long requestId) {
    this.requestId = requestId;
  }

  /** A stream id for protocols that have one apart from the request id (0 when the protocol has none). */
  public long streamId() {
    return streamId;
  }

  public void setStreamId(long streamId) {
    this.streamId = streamId;
  }

  /** Bytes of the frame's header, as the codec counts them (0 when unknown). */
  public int headerSize() {
    return headerSize;
  }

  public void setHeaderSize(int headerSize) {
    this.headerSize = headerSize;
  }

  /** Bytes of the frame's body, as the codec counts them (0 when unknown). */
  public int bodySize() {
    return bodySize;
  }

  public void setBodySize(int bodySize) {
    this.bodySize = bodySize;
  }

  /** Bytes of the whole frame as it arrived; 0 before the host has attached the frame. */
  public int frameSize() {
    return originalFrame == null ? 0 : originalFrame.readableBytes();
  }

  /**
   * A human-readable name of the call for stats, logs and tracing, for example {@code
   * org.example.GreetingService/sayHello}; null when the codec has none (responses usually have none).
   */
  public String operation() {
    return operation;
  }

  public void setOperation(String operation) {
    this.operation = operation;
  }

  /**
   * The frame exactly as it arrived, readable from its first to its last byte. The host attaches it after {@link
   * Codec#decode} returns {@link DecodeStatus#DONE} and writes it unchanged when nothing mutated the message. Callers
   * must not change its reader or writer index; use {@link ByteBuf#duplicate()} to read.
   */
  public ByteBuf originalFrame() {
    return originalFrame;
  }

  /**
   * Attaches the frame; the Metadata takes over the caller's reference (host use). A previously attached frame is
   * released.
   */
  public void attachFrame(ByteBuf frame) {
    if (originalFrame != null) {
      originalFrame.release();
    }
    originalFrame = frame;
  }

  /**
   * Anything the codec wants to remember between decode and encode of this message (for example where the
   * header map starts), so that encode need not parse the frame again. The host never looks at it.
   */
  public Object codecState() {
    return codecState;
  }

  public void setCodecState(Object codecState) {
    this.codecState = codecState;
  }

  /** The value of {@code key}, or null when absent. */
  public String get(String key) {
    int index = indexOf(key);
    return index < 0 ? null : pairs[index + 1];
  }

  /** Whether {@code key} is present. */
  public boolean contains(String key) {
    return indexOf(key) >= 0;
  }

  /** Sets {@code key} to {@code value}, replacing an earlier value. Both must be non-null. */
  public void put(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    int index = indexOf(key);
    if (index >= 0) {
      pairs[index + 1] = value;
      return;
    }
    if (pairCount * 2 == pairs.length) {
      String[] grown = new String[pairs.length * 2];
      System.arraycopy(pairs, 0, grown, 0, pairs.length);
      pairs = grown;
    }
    pairs[pairCount * 2] = key;
    pairs[pairCount * 2 + 1] = value;
    pairCount++;
  }

  /** Removes {@code key}; returns whether it was present. */
  public boolean remove(String key) {
    int index = indexOf(key);
    if (index < 0) {
      return false;
    }
    int last = (pairCount - 1) * 2;
    System.arraycopy(pairs, index + 2, pairs, index, last - index);
    pairs[last] = null;
    pairs[last + 1] = null;
    pairCount--;
    return true;
  }

  /** How many key/values there are. */
  public int size() {
    return pairCount;
  }

  /**
   * The keys in insertion order, as a read-only view: it costs one small object and no copy (proxy-wasm asks for the
   * header count of every message), and it shows later {@link #put}s and {@link #remove}s, which only a codec's
   * decode makes. Copy it to keep the keys as they are now.
   */
  public List<String> keys() {
    return new KeysView();
  }

  /** {@link #keys()}: reads the pairs array of the moment, since {@link #put} may replace it. */
  private final class KeysView extends AbstractList<String> implements RandomAccess {
    @Override
    public String get(int index) {
      Objects.checkIndex(index, pairCount);
      return pairs[index * 2];
    }

    @Override
    public int size() {
      return pairCount;
    }
  }

  /** Calls {@code action} with every key/value in insertion order, allocating nothing. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < pairCount; i++) {
      action.accept(pairs[i * 2], pairs[i * 2 + 1]);
    }
  }

  /** Releases the attached frame, if any (host use). Safe to call more than once. */
  public void release() {
    if (originalFrame != null) {
      ByteBuf frame = originalFrame;
      originalFrame = null;
      frame.release();
    }
  }

  /**
   * Where {@code key}'s pair starts, or -1. References are compared first: keys are nearly always string constants
   * (codecs' literals, filters' literals, the interned keys script engines pass), so a lookup usually ends without
   * reading any key's characters; only then are the keys compared by content.
   */
  private int indexOf(String key) {
    int end = pairCount * 2;
    for (int i = 0; i < end; i += 2) {
      if (pairs[i] == key) {
        return i;
      }
    }
    for (int i = 0; i < end; i += 2) {
      if (pairs[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Metadata{").append(messageType).append(" id=").append(requestId);
    if (operation != null) {
      text.append(" op=").append(operation);
    }
    for (int i = 0; i < pairCount; i++) {
      text.append(' ').append(pairs[i * 2]).append('=').append(pairs[i * 2 + 1]);
    }
    return text.append('}').toString();
  }
}
