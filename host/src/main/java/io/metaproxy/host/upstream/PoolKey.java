package io.metaproxy.host.upstream;

import io.metaproxy.api.CodecFactory;
import java.net.InetSocketAddress;

/**
 * Identifies an endpoint pool: the codec factory (by identity, so that after a plugin reload the old and the new
 * codec classes never share a connection) and the address.
 */
public record PoolKey(CodecFactory codecFactory, InetSocketAddress address) {
  @Override
  public boolean equals(Object other) {
    return other instanceof PoolKey key && key.codecFactory == codecFactory && key.address.equals(address);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(codecFactory) * 31 + address.hashCode();
  }

  @Override
  public String toString() {
    return codecFactory.name() + "://" + address.getHostString() + ":" + address.getPort();
  }
}
