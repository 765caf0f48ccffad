package io.metaproxy.filter.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.api.FilterStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginState;

/**
 * The jar {@code package} built, loaded the way the host loads it: PF4J's DefaultPluginManager over a folder holding
 * only that jar. Runs in the integration-test phase (maven-failsafe), after the jar exists; the pom passes its path as
 * the {@code plugin.jar} system property.
 */
class HeaderAuthPluginIT {
  private static final String PLUGIN_ID = "filter-example";

  private static Path builtJar() {
    String path = System.getProperty("plugin.jar");
    assertThat(path).as("system property plugin.jar (set by the pom)").isNotNull();
    Path jar = Path.of(path);
    assertThat(jar).isRegularFile();
    return jar;
  }

  @Test
  void theJarCarriesTheManifestAndTheExtensionIndex() throws Exception {
    try (JarFile jar = new JarFile(builtJar().toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id")).isEqualTo(PLUGIN_ID);
      assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Version")).isNotBlank();
      try (InputStream index = jar.getInputStream(jar.getEntry("META-INF/extensions.idx"))) {
        assertThat(new String(index.readAllBytes(), StandardCharsets.UTF_8).lines())
            .contains(HeaderAuthFilterFactory.class.getName());
      }
      assertThat(jar.stream().map(entry -> entry.getName()))
          .as("the host provides the API: bundling it would split its classes across class loaders")
          .noneMatch(name -> name.startsWith("io/metaproxy/api/") || name.startsWith("org/pf4j/"));
    }
  }

  @Test
  void pf4jLoadsThePluginAndFindsHeaderAuth(@TempDir Path pluginsDir) throws Exception {
    Files.copy(builtJar(), pluginsDir.resolve(builtJar().getFileName()));
    DefaultPluginManager manager = new DefaultPluginManager(pluginsDir);
    try {
      manager.loadPlugins();
      manager.startPlugins();
      assertThat(manager.getPlugin(PLUGIN_ID)).as("plugin %s", PLUGIN_ID).isNotNull();
      assertThat(manager.getPlugin(PLUGIN_ID).getPluginState()).isEqualTo(PluginState.STARTED);

      List<FilterFactory> factories = manager.getExtensions(FilterFactory.class, PLUGIN_ID);
      assertThat(factories).extracting(FilterFactory::name).containsExactly("header_auth");
      FilterFactory factory = factories.get(0);
      assertThat(factory.getClass().getClassLoader())
          .as("loaded from the jar, not from this test's class path")
          .isSameAs(manager.getPluginClassLoader(PLUGIN_ID));

      // and the loaded factory makes a working filter against the host's API classes
      Filter filter = factory.create(new TestContext.Config(Map.of("header", "x-token", "tokens", List.of("ci:t0k"))));
      TestContext allowed = TestContext.request("x-token", "t0k");
      TestContext denied = TestContext.request("x-token", "t0");
      assertThat(filter.onRequest(allowed)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(allowed.state).containsEntry("auth.user", "ci");
      assertThat(filter.onRequest(denied)).isEqualTo(FilterStatus.STOP);
      filter.close();
    } finally {
      // unloadPlugin stops it first (PF4J 3.15's stopPlugins() trips over its own list with one started plugin)
      if (manager.getPlugin(PLUGIN_ID) != null) {
        assertThat(manager.unloadPlugin(PLUGIN_ID)).isTrue();
      }
    }
  }
}
