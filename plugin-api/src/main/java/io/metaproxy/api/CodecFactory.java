package io.metaproxy.api;

import org.pf4j.ExtensionPoint;

/**
 * Makes codecs for one protocol. A plugin publishes it with PF4J's {@code @Extension}; listeners and clusters
 * select it by {@link #name()} ({@code protocol: dubbo}).
 *
 * <p>Implementations must be stateless and thread-safe: the host calls {@link #create()} from any event loop.
 */
public interface CodecFactory extends ExtensionPoint {

  /** The protocol name configuration uses, lower case, e.g. {@code dubbo}. Unique across loaded plugins. */
  String name();

  /** A new codec for one connection. */
  Codec create();
}
