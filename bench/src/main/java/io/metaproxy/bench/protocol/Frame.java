package io.metaproxy.bench.protocol;

/**
 * The header of one frame as {@link BenchProtocol#peek} found it. Mutable and reused for every frame of a connection,
 * so that reading a frame allocates nothing.
 */
public final class Frame {
  int length;
  long requestId;
  FrameKind kind;
  boolean ok;
  int status;

  /** Bytes of the whole frame, header included. */
  public int length() {
    return length;
  }

  public long requestId() {
    return requestId;
  }

  public FrameKind kind() {
    return kind;
  }

  /** For a response: whether it reports success (Dubbo status 20). */
  public boolean ok() {
    return ok;
  }

  /** For a response: the protocol's status code, for error reports. */
  public int status() {
    return status;
  }

  /** Fills every field; protocols call it from {@link BenchProtocol#peek}. */
  public void set(int length, long requestId, FrameKind kind, boolean ok, int status) {
    this.length = length;
    this.requestId = requestId;
    this.kind = kind;
    this.ok = ok;
    this.status = status;
  }

  @Override
  public String toString() {
    return kind + " id=" + requestId + " length=" + length + (kind == FrameKind.RESPONSE ? " status=" + status : "");
  }
}
