package io.metaproxy.api;

/**
 * One step of a listener's filter chain. Requests pass the filters in configured order, responses in reverse
 * order; the router is always last on the request path.
 *
 * <p>The host makes one instance per event loop and per configuration snapshot ({@link FilterFactory#create}) and
 * calls it only on that loop's thread, so an instance may hold unsynchronized state, such as a script VM. Per-request
 * state belongs in {@link FilterContext#setState}. When a snapshot is retired and its last request has finished, the
 * host calls {@link #close()}.
 */
public interface Filter extends AutoCloseable {

  /** Handles a request on its way to the router. The default passes it on. */
  default FilterStatus onRequest(FilterContext context) {
    return FilterStatus.CONTINUE;
  }

  /**
   * Handles a response on its way back to the client; called for requests that passed this filter's {@link
   * #onRequest}, including error replies the proxy made itself. The default passes it on.
   */
  default FilterStatus onResponse(FilterContext context) {
    return FilterStatus.CONTINUE;
  }

  /** Frees what the instance holds. Called once, after the last message that used it; must not throw. */
  @Override
  default void close() {}
}
