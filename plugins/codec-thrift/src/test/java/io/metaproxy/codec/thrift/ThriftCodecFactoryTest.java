package io.metaproxy.codec.thrift;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.CodecFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.pf4j.Extension;

class ThriftCodecFactoryTest {

  @Test
  void isTheThriftCodecFactoryAndMakesACodecPerConnection() {
    CodecFactory factory = new ThriftCodecFactory();
    assertThat(factory.name()).isEqualTo("thrift");
    assertThat(factory.create()).isInstanceOf(ThriftCodec.class).isNotSameAs(factory.create());
  }

  @Test
  void isAPf4jExtensionListedInTheExtensionIndex() throws IOException {
    assertThat(ThriftCodecFactory.class.isAnnotationPresent(Extension.class)).isTrue();
    boolean listed = false;
    for (URL index : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
      try (InputStream in = index.openStream()) {
        listed |= new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .anyMatch(ThriftCodecFactory.class.getName()::equals);
      }
    }
    assertThat(listed).as("PF4J's annotation processor indexed the factory").isTrue();
  }
}
