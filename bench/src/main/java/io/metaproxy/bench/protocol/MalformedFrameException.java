package io.metaproxy.bench.protocol;

/** The bytes are not a frame of the protocol; the connection cannot be read any further. */
public final class MalformedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedFrameException(String message) {
    super(message);
  }
}
