package io.metaproxy.api;

/**
 * Thrown by {@link Codec#decode} when the bytes are not a frame of the protocol. The host closes that one
 * connection, counts it, and leaves every other connection alone: after a malformed frame there is no reliable
 * place to resume reading.
 */
public class CodecException extends Exception {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
