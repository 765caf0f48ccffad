package io.metaproxy.codec.example;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import org.pf4j.Extension;

/**
 * Publishes the example codec. PF4J finds it through {@code @Extension} (its annotation processor lists the class in
 * the jar's META-INF/extensions.idx); listeners and clusters select it with {@code protocol: example}.
 */
@Extension
public final class ExampleCodecFactory implements CodecFactory {

  @Override
  public String name() {
    return "example";
  }

  /** One codec per connection. */
  @Override
  public Codec create() {
    return new ExampleCodec();
  }
}
