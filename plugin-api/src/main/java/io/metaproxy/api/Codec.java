package io.metaproxy.api;

import io.netty.buffer.ByteBuf;

/**
 * One protocol's wire format, for one connection. This is all a protocol has to write: the framework does routing,
 * load balancing, filters, retries and stats on top.
 *
 * <p>The host makes one instance per connection (downstream or upstream) with {@link CodecFactory#create()} and calls
 * it only on that connection's event loop, so an instance may keep per-connection state (a detected protocol
 * variant, say). {@link #encode} and {@link #onError} may be given Metadata that another instance of the same codec
 * decoded: an upstream connection's codec encodes the request its downstream twin decoded.
 *
 * <p><b>Buffer ownership</b>, for every method: the host owns {@code in} and {@code out}. A codec reads from {@code in}
 * and writes to {@code out}; it never retains, releases or keeps a reference to either after the call returns.
 */
public interface Codec {

  /**
   * Decodes one frame from the start of {@code in} (at its reader index).
   *
   * <p>When the bytes hold a whole frame: advance the reader index past exactly that frame, fill {@code metadata}
   * (message type, request id, key/values) and return {@link DecodeStatus#DONE}. The host then attaches the frame's
   * bytes as {@link Metadata#originalFrame()}. When they do not: return {@link DecodeStatus#WAIT_FOR_DATA}; the host
   * restores the reader index, so the codec may read ahead freely. Never copy or deserialize what routing does not
   * need (RPC arguments, for instance): skipping is what keeps a proxy cheap.
   *
   * @param in the connection's buffered bytes; possibly several frames, possibly part of one
   * @param metadata a fresh Metadata to fill
   * @throws CodecException when the bytes are not this protocol; the host closes this one connection
   */
  DecodeStatus decode(ByteBuf in, Metadata metadata) throws CodecException;

  /**
   * Writes the message described by {@code metadata} to {@code out} with {@code mutation} applied and with {@link
   * Metadata#requestId()} as its id (the host may have changed it). The host calls this only when there is something
   * to change; otherwise it forwards {@link Metadata#originalFrame()} itself. Starting from the original frame and
   * rewriting only the header part is the expected way.
   *
   * <p>{@code out} may already hold other frames before its writer index (the host lays frames bound for one
   * connection end to end): append at the writer index, and address anything patched afterwards (a length field, say)
   * relative to where this frame started, never at absolute index 0.
   *
   * @throws IllegalArgumentException when the message cannot be encoded with this mutation (a header block over the
   *     protocol's limit, say); the host then answers the client with {@link #onError} and {@link
   *     ErrorType#BAD_REQUEST}, naming the reason, and discards whatever was written to {@code out}
   */
  void encode(Metadata metadata, Mutation mutation, ByteBuf out);

  /**
   * Writes the protocol's own error reply to a request, so the client sees a failure it understands, carrying the
   * request's id and {@code message} as the readable reason.
   *
   * @param request the request being answered; for a frame that could not be decoded at all it holds whatever was
   *     decoded (possibly only defaults)
   * @param error why the proxy answers instead of the upstream
   * @param message a reason for people, e.g. {@code "no route for org.example.Greeter/hello"}
   */
  void onError(Metadata request, ErrorType error, String message, ByteBuf out);

  /**
   * Answers a {@link MessageType#HEARTBEAT} frame that expects an answer by writing the reply to {@code out}.
   *
   * @return whether anything was written: false for a heartbeat that is itself a reply, or a protocol without
   *     heartbeats
   */
  default boolean replyToHeartbeat(Metadata heartbeat, ByteBuf out) {
    return false;
  }

  /**
   * Writes a heartbeat request with the given id, which the host sends on idle upstream connections to keep them
   * alive.
   *
   * @return false when the protocol has no heartbeat (the default)
   */
  default boolean writeHeartbeat(long requestId, ByteBuf out) {
    return false;
  }

  /**
   * Overwrites the request id inside an encoded frame in place, without changing its length. The host uses it when it
   * gives a request a new id on a shared upstream connection (and restores the client's id on the response), so that
   * an unmutated frame still travels as its original bytes.
   *
   * @param frame the whole frame, readable from its first byte; the codec writes with absolute indexes only
   * @return false when the id cannot be patched in place (the default); the host then calls {@link #encode}
   */
  default boolean rewriteRequestId(ByteBuf frame, long requestId) {
    return false;
  }
}
