package io.metaproxy.bench.protocol;

/** What a frame is, as far as the benchmark cares. */
public enum FrameKind {
  /** A request that expects a response. */
  REQUEST,
  /** A request that expects none. */
  ONE_WAY_REQUEST,
  /** A response to a request; see {@link Frame#ok()}. */
  RESPONSE,
  /** A heartbeat that expects an answer (proxies send these on idle connections). */
  HEARTBEAT_REQUEST,
  /** A heartbeat answer, or a heartbeat that expects none. */
  HEARTBEAT_RESPONSE
}
