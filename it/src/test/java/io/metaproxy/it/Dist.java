package io.metaproxy.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The assembled distribution under test: {@code -Dmetaproxy.dist}, set by the build (failsafe). */
public final class Dist {
  private Dist() {}

  /** The distribution's root folder; fails with instructions when it has not been built. */
  public static Path home() {
    String dist = System.getProperty("metaproxy.dist");
    if (dist == null || dist.isBlank()) {
      throw new IllegalStateException("system property metaproxy.dist is not set; run the ITs with `mvn verify`");
    }
    Path home = Path.of(dist).toAbsolutePath().normalize();
    if (!Files.isExecutable(home.resolve("bin/metaproxy"))) {
      throw new IllegalStateException(home + "/bin/metaproxy is missing; the package phase assembles it");
    }
    return home;
  }

  /** {@code bin/metaproxy}. */
  public static Path launcher() {
    return home().resolve("bin").resolve("metaproxy");
  }

  /** {@code plugins/}, where the proxy finds the Dubbo codec. */
  public static Path plugins() {
    return home().resolve("plugins");
  }

  /**
   * The YAML that every generated test config starts with: the admin port, and the distribution's plugins folder as
   * an absolute path (test configs live in a temp folder, so the relative default would find nothing).
   */
  public static String header(int adminPort) {
    return header(adminPort, plugins());
  }

  /** {@link #header(int)} with another plugins folder, e.g. a test's own copy of some of the distribution's. */
  public static String header(int adminPort, Path pluginsDir) {
    return "admin: { address: 127.0.0.1:" + adminPort + " }\n"
        + "plugins: { dir: \"" + pluginsDir.toAbsolutePath() + "\" }\n";
  }
}
