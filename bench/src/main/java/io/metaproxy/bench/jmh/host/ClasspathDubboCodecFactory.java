package io.metaproxy.bench.jmh.host;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.bench.jmh.Codecs;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Registers the Dubbo codec plugin, which is on the micro-benchmarks' class path but not in a plugins folder, with the
 * host's {@code PluginRegistry} (which finds class-path factories through {@link java.util.ServiceLoader} only). Every
 * codec it makes is the plugin's own: this class only forwards {@link #create()}.
 */
public final class ClasspathDubboCodecFactory implements CodecFactory {
  private volatile CodecFactory plugin;

  @Override
  public String name() {
    return "dubbo";
  }

  @Override
  public Codec create() {
    return plugin().create();
  }

  private CodecFactory plugin() {
    CodecFactory found = plugin;
    if (found == null) {
      try {
        found = Codecs.named("dubbo");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      plugin = found;
    }
    return found;
  }
}
