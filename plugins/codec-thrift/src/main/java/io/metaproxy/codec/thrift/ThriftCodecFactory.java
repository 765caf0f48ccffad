package io.metaproxy.codec.thrift;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import org.pf4j.Extension;

/**
 * Publishes the Thrift codec as protocol {@code thrift}. One factory serves every Thrift transport and protocol:
 * each connection detects its own from its first bytes. Stateless and thread-safe.
 */
@Extension
public final class ThriftCodecFactory implements CodecFactory {

  /** The protocol name listeners and clusters use: {@code protocol: thrift}. */
  public static final String NAME = "thrift";

  @Override
  public String name() {
    return NAME;
  }

  /** A codec with libthrift's default size limit, {@value ThriftCodec#DEFAULT_MAX_MESSAGE_SIZE} bytes per message. */
  @Override
  public Codec create() {
    return new ThriftCodec(ThriftCodec.DEFAULT_MAX_MESSAGE_SIZE);
  }
}
