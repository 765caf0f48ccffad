package io.metaproxy.it;

import io.metaproxy.demo.Backends;
import io.metaproxy.demo.Backends.Backend;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * The greet-v1 and greet-v2 Dubbo providers on free ports, started once for all ITs of the JVM (Dubbo takes seconds
 * to start) and stopped after the last one. Register with {@code @ExtendWith(SharedBackends.class)}; tests only read
 * from the providers.
 *
 * <p>They live in JUnit's root store, which closes them when the test run ends, before Dubbo's own JVM shutdown
 * hooks would race to do it.
 */
public final class SharedBackends implements BeforeAllCallback {
  private static final Namespace NAMESPACE = Namespace.create(SharedBackends.class);
  private static volatile Backends backends;

  @Override
  public void beforeAll(ExtensionContext context) {
    backends = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("backends",
        key -> Backends.start("127.0.0.1",
            List.of(new Backend("greet-v1", FreePorts.next()), new Backend("greet-v2", FreePorts.next()))),
        Backends.class);
  }

  /** The port of the backend named {@code name}. */
  public static int port(String name) {
    if (backends == null) {
      throw new IllegalStateException("register SharedBackends with @ExtendWith on the test class");
    }
    return backends.backends().stream()
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
