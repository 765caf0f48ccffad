package io.metaproxy.codec.dubbo;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import org.pf4j.Extension;

/**
 * Publishes the Dubbo codec as {@code protocol: dubbo}. The largest accepted body defaults to Dubbo's own payload
 * limit (8 MiB) and can be raised with the system property {@value #MAX_BODY_PROPERTY}, like Dubbo's {@code payload}
 * parameter. Stateless and thread-safe.
 */
@Extension
public final class DubboCodecFactory implements CodecFactory {
  /** System property: the largest body, in bytes, a frame may declare before decode refuses it. */
  public static final String MAX_BODY_PROPERTY = "metaproxy.dubbo.maxBodyBytes";

  private final int maxBodyBytes = Integer.getInteger(MAX_BODY_PROPERTY, DubboProtocol.DEFAULT_MAX_BODY_BYTES);

  @Override
  public String name() {
    return "dubbo";
  }

  @Override
  public Codec create() {
    return new DubboCodec(maxBodyBytes);
  }
}
