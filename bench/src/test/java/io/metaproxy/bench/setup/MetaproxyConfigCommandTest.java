package io.metaproxy.bench.setup;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.bench.BenchMain;
import io.metaproxy.bench.jmh.host.HostFixture;
import io.metaproxy.host.config.ConfigLoader;
import io.metaproxy.host.config.FilterSpec;
import io.metaproxy.host.config.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class MetaproxyConfigCommandTest {
  @TempDir Path dir;

  @Test
  void routerOnlyConfigHasOneListenerOneRouteAndOneCluster() throws Exception {
    Path dist = Files.createDirectories(dir.resolve("dist"));
    Path out = dir.resolve("router.yaml");
    assertThat(run("--listen", "127.0.0.1:4000", "--backend", "127.0.0.1:5000", "--admin", "127.0.0.1:6000",
        "--dist", dist.toString(), "--out", out.toString())).isZero();

    Map<?, ?> config = yaml(out);
    assertThat(((Map<?, ?>) config.get("admin")).get("address")).isEqualTo("127.0.0.1:6000");
    assertThat(((Map<?, ?>) config.get("plugins")).get("dir")).isEqualTo(dist.toAbsolutePath().resolve("plugins").toString());
    Map<?, ?> listener = (Map<?, ?>) ((List<?>) config.get("listeners")).get(0);
    assertThat(listener.get("address")).isEqualTo("127.0.0.1:4000");
    assertThat(listener.get("protocol")).isEqualTo("dubbo");
    assertThat(listener.containsKey("filters")).isFalse();
    Map<?, ?> route = (Map<?, ?>) ((List<?>) ((Map<?, ?>) listener.get("route_config")).get("routes")).get(0);
    assertThat(route.get("match")).isEqualTo(Map.of());
    assertThat(route.get("route")).isEqualTo(Map.of("cluster", "echo"));
    Map<?, ?> cluster = (Map<?, ?>) ((List<?>) config.get("clusters")).get(0);
    assertThat(cluster.get("name")).isEqualTo("echo");
    assertThat(cluster.get("endpoints")).isEqualTo(List.of("127.0.0.1:5000"));
  }

  @Test
  void filtersWhosePluginIsMissingAreSkippedAndFilePathsResolveAgainstTheChainFile() throws Exception {
    Path dist = Files.createDirectories(dir.resolve("dist"));
    Files.createDirectories(dist.resolve("plugins"));
    Files.writeString(dist.resolve("plugins/metaproxy-filter-example-0.1.0.jar"), "");
    Path chainDir = Files.createDirectories(dir.resolve("chain"));
    Path chain = chainDir.resolve("filter-chain.yaml");
    Files.writeString(chain, """
        request_attachments: { x-token: bench, x-user: u1 }
        filters:
          - name: lua
            requires: [ "lib/*lua*.jar", "plugins/*lua*.jar" ]
            config: { file: filters/bench.lua }
          - name: header_auth
            requires: "plugins/*filter-example*.jar"
            config: { header: x-token, allowed: [ a, b ], nested: { file: x.txt } }
          - name: always
        """);
    Path out = dir.resolve("filters.yaml");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("--listen", "127.0.0.1:4000", "--backend", "127.0.0.1:5000", "--admin", "127.0.0.1:6000",
          "--dist", dist.toString(), "--chain", chain.toString(), "--out", out.toString(),
          "--attachments-out", dir.resolve("attachments.txt").toString())).isZero();
    } finally {
      System.setOut(stdout);
    }

    Map<?, ?> listener = (Map<?, ?>) ((List<?>) yaml(out).get("listeners")).get(0);
    List<?> filters = (List<?>) listener.get("filters");
    assertThat(filters.stream().map(f -> (Object) ((Map<?, ?>) f).get("name")).toList())
        .containsExactly((Object) "header_auth", "always", "router");
    Map<?, ?> auth = (Map<?, ?>) ((Map<?, ?>) filters.get(0)).get("config");
    assertThat(auth.get("header")).isEqualTo("x-token");
    assertThat(auth.get("allowed")).isEqualTo(List.of("a", "b"));
    assertThat(((Map<?, ?>) auth.get("nested")).get("file")).isEqualTo(chainDir.resolve("x.txt").toString());
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("filter lua: skipped, nothing in " + dist + " matches [lib/*lua*.jar, plugins/*lua*.jar]")
        .contains("filter header_auth: used");

    assertThat(Files.readAllLines(dir.resolve("attachments.txt"))).containsExactly("x-token=bench", "x-user=u1");

    // once the engine is there, the script's path is made absolute
    Files.createDirectories(dist.resolve("lib"));
    Files.writeString(dist.resolve("lib/metaproxy-script-lua-0.1.0.jar"), "");
    FilterChain withLua = FilterChain.load(chain, dist);
    assertThat(withLua.used().get(0).name()).isEqualTo("lua");
    assertThat(withLua.used().get(0).config().get("file")).isEqualTo(chainDir.resolve("filters/bench.lua").toString());
  }

  @Test
  void theShippedChainIsAValidConfigAndItsLuaScriptRunsOnTheRealEngine() throws Exception {
    Path dist = Files.createDirectories(dir.resolve("dist"));
    Files.createDirectories(dist.resolve("plugins"));
    Files.createDirectories(dist.resolve("lib"));
    Files.writeString(dist.resolve("plugins/metaproxy-filter-example-0.1.0-SNAPSHOT.jar"), "");
    Files.writeString(dist.resolve("lib/metaproxy-script-lua-0.1.0-SNAPSHOT.jar"), "");
    Path chain = Path.of("filter-chain.yaml").toAbsolutePath();

    FilterChain filters = FilterChain.load(chain, dist);
    assertThat(filters.used()).extracting(FilterChain.Filter::name).containsExactly("header_auth", "lua");
    assertThat(filters.used().get(0).config()).containsEntry("header", "x-bench-token");
    assertThat(filters.requestAttachments()).containsEntry("x-bench-token", "bench");
    String yaml = MetaproxyConfigCommand.render("dubbo", "127.0.0.1:4000", "127.0.0.1:5000", "127.0.0.1:6000",
        dist.resolve("plugins"), filters.used());
    // the host's own parser accepts what bench/run hands to metaproxy
    ProxyConfig config = ConfigLoader.parse(yaml, dir.resolve("metaproxy-filters.yaml"));
    assertThat(config.listeners().get(0).filters()).extracting(FilterSpec::name)
        .containsExactly("header_auth", "lua");

    // the Lua filter, alone, through the host's snapshot builder and the real engine: the script compiles and loads
    String luaOnly = MetaproxyConfigCommand.render("dubbo", "127.0.0.1:4000", "127.0.0.1:5000", "127.0.0.1:6000",
        dist.resolve("plugins"), filters.used().subList(1, 2));
    String withoutPlugins = luaOnly.lines().filter(line -> !line.startsWith("plugins:"))
        .collect(Collectors.joining("\n"));
    // (HostFixture brings its own empty plugins folder; the listener is already called "bench")
    try (HostFixture host = HostFixture.compile(withoutPlugins)) {
      assertThat(host.filters()).hasSize(1);
      assertThat(host.filters()[0].getClass().getName()).startsWith("io.metaproxy.script.lua.");
    }
  }

  private static int run(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "metaproxy-config";
    System.arraycopy(args, 0, all, 1, args.length);
    return BenchMain.commandLine().execute(all);
  }

  private static Map<?, ?> yaml(Path file) throws Exception {
    return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
  }
}
