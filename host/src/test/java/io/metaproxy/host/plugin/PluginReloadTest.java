package io.metaproxy.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.host.admin.ReloadResult;
import io.metaproxy.host.server.Proxy;
import io.metaproxy.host.testing.TestBackend;
import io.metaproxy.host.testing.TestClient;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins are real PF4J jars loaded from the plugins folder; replacing a jar and reloading swaps the filter for new
 * requests, keeps open connections, and lets the old plugin's class loader be collected once nothing uses it.
 */
class PluginReloadTest {
  @TempDir Path dir;

  private static String filterSource(String version) {
    return """
        package probe;
        import io.metaproxy.api.*;
        public class ProbeFilterFactory implements FilterFactory {
          public String name() { return "probe"; }
          public Filter create(FilterConfig config) {
            return new Filter() {
              public FilterStatus onRequest(FilterContext ctx) {
                ctx.set("x-probe", "%s");
                return FilterStatus.CONTINUE;
              }
            };
          }
        }
        """.formatted(version);
  }

  @Test
  void aReplacedPluginJarServesNewRequestsAndTheOldClassLoaderIsCollected() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build(plugins, "probe", "1.0.0", "probe.ProbeFilterFactory", filterSource("v1"));
    // A broken plugin next to it is reported and skipped; the rest keep working.
    Files.writeString(plugins.resolve("broken.jar"), "not a jar");
    try (TestBackend backend = new TestBackend("backend")) {
      Path config = dir.resolve("proxy.yaml");
      Files.writeString(config, """
          admin: { address: 127.0.0.1:0 }
          plugins: { dir: plugins }
          listeners:
            - name: in
              address: 127.0.0.1:0
              protocol: test
              filters: [ { name: probe } ]
              route_config: { routes: [ { name: all, match: {}, route: { cluster: backend } } ] }
          clusters: [ { name: backend, endpoints: [ %s ] } ]
          """.formatted(backend.address()));
      try (Proxy proxy = Proxy.start(config, 2)) {
        assertThat(proxy.pluginsJson()).contains("\"probe\"").contains("broken.jar");
        WeakReference<ClassLoader> oldLoader = new WeakReference<>(
            proxy.current().plugins().filter("probe").getClass().getClassLoader());
        assertThat(oldLoader.get()).isNotSameAs(getClass().getClassLoader());
        int port = proxy.listenerAddress("in").getPort();
        try (TestClient client = new TestClient(port)) {
          assertThat(client.call(1, Map.of("method", "m"), "").headers()).containsEntry("seen-x-probe", "v1");

          Path jar = PluginJars.build(plugins, "probe", "2.0.0", "probe.ProbeFilterFactory", filterSource("v2"));
          Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 2000));
          ReloadResult result = proxy.reload();
          assertThat(result.success()).as(result.message()).isTrue();
          assertThat(result.message()).contains("plugins reloaded");

          assertThat(client.call(2, Map.of("method", "m"), "").headers()).containsEntry("seen-x-probe", "v2");
        }
        FilterFactory current = proxy.current().plugins().filter("probe");
        assertThat(current.getClass().getClassLoader()).isNotSameAs(oldLoader.get());
        for (int i = 0; i < 100 && oldLoader.get() != null; i++) {
          System.gc();
          Thread.sleep(50);
        }
        assertThat(oldLoader.get()).as("the old plugin's class loader is collected").isNull();
      }
    }
  }
}
