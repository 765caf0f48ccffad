package io.metaproxy.script.testing;

import io.metaproxy.api.FilterConfig;
import java.nio.file.Path;
import java.util.Map;

/** A FilterConfig for tests: settings as given, paths resolved against {@code baseDir}. */
public record TestFilterConfig(String filterName, String listenerName, Map<String, Object> settings, Path baseDir)
    implements FilterConfig {

  public TestFilterConfig {
    settings = Map.copyOf(settings);
  }

  /** A config of filter {@code filterName} on listener {@code test-in}. */
  public static TestFilterConfig of(String filterName, Map<String, Object> settings, Path baseDir) {
    return new TestFilterConfig(filterName, "test-in", settings, baseDir);
  }

  @Override
  public Path resolve(String path) {
    return baseDir.resolve(path);
  }
}
