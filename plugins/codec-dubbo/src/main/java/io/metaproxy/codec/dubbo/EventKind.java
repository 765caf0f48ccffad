package io.metaproxy.codec.dubbo;

/**
 * What a Dubbo event frame (the header's event bit) is, kept as {@code Metadata.codecState()} of a HEARTBEAT so that
 * answering it needs no second look at the header. Constants, so nothing is allocated per heartbeat.
 */
enum EventKind {
  /** A heartbeat request that expects an answer. */
  TWO_WAY_REQUEST,
  /** An event request without answer, such as the read-only event a provider sends when it shuts down. */
  ONE_WAY_REQUEST,
  /** A heartbeat response. */
  RESPONSE
}
