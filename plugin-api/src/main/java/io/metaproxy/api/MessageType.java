package io.metaproxy.api;

/** The kind of a decoded message. */
public enum MessageType {
  /** A request that expects a response. */
  REQUEST,
  /** A response to a request, successful or carrying an application exception. */
  RESPONSE,
  /** A request with no response (fire and forget). */
  ONEWAY,
  /**
   * A keep-alive frame of the protocol. The host never routes it: it answers heartbeat requests locally through
   * {@link Codec#replyToHeartbeat} and swallows heartbeat replies.
   */
  HEARTBEAT,
  /** A protocol-level error response (bad request, server error), as opposed to an application exception. */
  ERROR;

  /** Whether a message of this type travels from client to server. */
  public boolean isRequest() {
    return this == REQUEST || this == ONEWAY;
  }
}
