package io.metaproxy.filter.example;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as a filter sees it, in memory, recording what the filter did (Mutation, replies, state, counters). Reads
 * see the filter's own writes, as the host's context does. (script-engines/contract has a fuller one in its test jar,
 * which plugins do not depend on.)
 */
final class TestContext implements FilterContext {
  /** A {@link #reply} call. */
  record Reply(ErrorType error, String message) {}

  /** A FilterConfig for tests: settings as given, paths resolved against {@code baseDir}. */
  record Config(Map<String, Object> settings, Path baseDir) implements FilterConfig {
    Config(Map<String, Object> settings) {
      this(settings, Path.of("."));
    }

    @Override
    public String filterName() {
      return HeaderAuthFilterFactory.NAME;
    }

    @Override
    public String listenerName() {
      return "test-in";
    }

    @Override
    public Path resolve(String path) {
      return baseDir.resolve(path).normalize();
    }
  }

  final Metadata metadata = new Metadata();
  final Mutation mutation = new Mutation();
  final Map<String, String> state = new HashMap<>();
  final List<Reply> replies = new ArrayList<>();
  final Map<String, Long> counters = new LinkedHashMap<>();

  /** A request carrying {@code keysAndValues} (key, value, key, value, ...). */
  static TestContext request(String... keysAndValues) {
    TestContext context = new TestContext();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      context.metadata.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return context;
  }

  @Override
  public String get(String key) {
    return mutation.touches(key) ? mutation.get(key) : metadata.get(key);
  }

  @Override
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (String key : metadata.keys()) {
      if (get(key) != null) {
        keys.add(key);
      }
    }
    mutation.forEach((key, value) -> {
      if (value != null && !metadata.contains(key)) {
        keys.add(key);
      }
    });
    return keys;
  }

  @Override
  public MessageType messageType() {
    return metadata.messageType();
  }

  @Override
  public long requestId() {
    return 42;
  }

  @Override
  public String operation() {
    return "org.example.Greeter/" + metadata.get("method");
  }

  @Override
  public String peerAddress() {
    return "127.0.0.1:50123";
  }

  @Override
  public String listener() {
    return "test-in";
  }

  @Override
  public String route() {
    return "default";
  }

  @Override
  public String cluster() {
    return "greet-v1";
  }

  @Override
  public void set(String key, String value) {
    mutation.set(key, value);
  }

  @Override
  public void remove(String key) {
    mutation.remove(key);
  }

  @Override
  public FilterStatus reply(ErrorType error, String message) {
    replies.add(new Reply(error, message));
    return FilterStatus.STOP;
  }

  @Override
  public void routeTo(String cluster) {
    throw new AssertionError("header_auth never reroutes");
  }

  @Override
  public void resume() {
    throw new AssertionError("header_auth never pauses");
  }

  @Override
  public String state(String key) {
    return state.get(key);
  }

  @Override
  public void setState(String key, String value) {
    state.put(key, value);
  }

  @Override
  public void log(String level, String message) {}

  @Override
  public void count(String metric, long delta) {
    counters.merge(metric, delta, Long::sum);
  }

  @Override
  public long now() {
    return 1_700_000_000_000L;
  }

  @Override
  public String toString() {
    return metadata + " " + mutation + " replies=" + replies + " state=" + state + " counters=" + counters;
  }
}
