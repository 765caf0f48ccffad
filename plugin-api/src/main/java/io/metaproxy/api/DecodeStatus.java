package io.metaproxy.api;

/** What {@link Codec#decode} did with the bytes it was given. */
public enum DecodeStatus {
  /** Not a whole frame yet; nothing was consumed. The host calls again when more bytes arrive. */
  WAIT_FOR_DATA,
  /** Exactly one frame was consumed and the {@link Metadata} filled from it. */
  DONE
}
