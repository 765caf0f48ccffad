package io.metaproxy.it;

import io.metaproxy.demo.Backends;
import io.metaproxy.demo.Backends.Backend;
import java.util.List;

/**
 * The greet-v1 and greet-v2 Dubbo providers on free ports, started once for all ITs of the JVM (Dubbo takes seconds
 * to start) and stopped when the JVM exits. Tests only read from them.
 */
public final class SharedBackends {
  private static Backends backends;

  private SharedBackends() {}

  /** Starts the providers on first use. */
  public static synchronized Backends get() {
    if (backends == null) {
      Backends started = Backends.start("127.0.0.1",
          List.of(new Backend("greet-v1", FreePorts.next()), new Backend("greet-v2", FreePorts.next())));
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-backends-stop"));
      backends = started;
    }
    return backends;
  }

  /** The port of the backend named {@code name}. */
  public static int port(String name) {
    return get().backends().stream()
        .filter(b -> b.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no backend " + name))
        .port();
  }

  /** {@code clusters:} YAML for greet-v1 and greet-v2, plus greet-down: a port nothing listens on. */
  public static String clustersYaml() {
    return "clusters:\n"
        + "  - { name: greet-v1, endpoints: [ 127.0.0.1:" + port("greet-v1") + " ] }\n"
        + "  - { name: greet-v2, endpoints: [ 127.0.0.1:" + port("greet-v2") + " ] }\n"
        + "  - { name: greet-down, endpoints: [ 127.0.0.1:" + FreePorts.next() + " ] }\n";
  }
}
