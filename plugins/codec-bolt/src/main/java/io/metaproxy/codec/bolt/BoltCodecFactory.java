package io.metaproxy.codec.bolt;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import org.pf4j.Extension;

/** Publishes the SOFA Bolt codec as protocol {@code bolt}. Stateless. */
@Extension
public final class BoltCodecFactory implements CodecFactory {

  @Override
  public String name() {
    return "bolt";
  }

  @Override
  public Codec create() {
    return new BoltCodec();
  }
}
