package io.metaproxy.bench.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One RPC protocol as the benchmark sees it. Implementations are stateless and thread-safe.
 *
 * <p>Frames are built once, as byte templates whose request id is zero; senders copy a template into an outgoing
 * buffer and patch the id in place with {@link #writeRequestId}. Received frames are only {@linkplain #peek peeked}
 * at: length, id, kind and status come from the header, the body is never parsed.
 */
public interface BenchProtocol {

  /** The name used on the command line and by metaproxy's {@code protocol:}, e.g. {@code dubbo}. */
  String name();

  /**
   * Reads the header of the frame starting at {@code in.readerIndex()} into {@code frame}, without moving any index.
   *
   * @return false when {@code in} does not hold the whole frame yet
   * @throws MalformedFrameException when the bytes are not this protocol
   */
  boolean peek(ByteBuf in, Frame frame) throws MalformedFrameException;

  /** Overwrites the request id of the frame that starts at absolute index {@code frameStart} of {@code buf}. */
  void writeRequestId(ByteBuf buf, int frameStart, long requestId);

  /** A two-way request frame of the given shape, with request id 0. */
  byte[] request(RequestShape shape);

  /** A successful response carrying a payload of {@code payloadSize} characters, with request id 0. */
  byte[] response(int payloadSize);

  /** The answer to a heartbeat request, with request id 0. */
  byte[] heartbeatResponse();

  /** A heartbeat request, with request id 0. */
  byte[] heartbeatRequest();

  /** The protocol named {@code name}. */
  static BenchProtocol named(String name) {
    return switch (name) {
      case "dubbo" -> DubboProtocol.INSTANCE;
      default -> throw new IllegalArgumentException("unknown protocol '" + name + "'; the benchmark speaks: dubbo");
    };
  }
}
