package io.metaproxy.host.upstream;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;

/** A request on its way upstream, as a connection needs it; implemented by the per-request exchange. */
public interface UpstreamRequest {

  /** The request as decoded; the connection may change its request id (multiplexing). */
  Metadata requestMetadata();

  /** What to change on the wire; null or empty when nothing. */
  Mutation requestMutation();

  /** Whether no response is expected. */
  boolean isOneway();

  /** A oneway request has been written; nothing more will happen to it. Called on the connection's event loop. */
  void onOnewaySent();

  /**
   * The response arrived. Ownership of {@code response} (and its frame) passes to the callee, which must release it.
   * Called on the connection's event loop.
   */
  void onUpstreamResponse(Metadata response);

  /** The request failed upstream (connect failure, reset, closed). Called on the connection's event loop. */
  void onUpstreamFailure(ErrorType error, String message, boolean connectFailure);
}
