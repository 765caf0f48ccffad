package io.metaproxy.host.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.metaproxy.host.config.ClusterConfig.CircuitBreakers;
import io.metaproxy.host.config.ClusterConfig.ConnectionPool;
import io.metaproxy.host.config.ClusterConfig.Endpoint;
import io.metaproxy.host.config.ClusterConfig.HealthCheck;
import io.metaproxy.host.config.ClusterConfig.LbPolicy;
import io.metaproxy.host.config.ClusterConfig.OutlierDetection;
import io.metaproxy.host.config.MetadataMatcher.Kind;
import io.metaproxy.host.config.RouteAction.MirrorPolicy;
import io.metaproxy.host.config.RouteAction.RetryPolicy;
import io.metaproxy.host.config.RouteAction.WeightedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path NOMINAL = Path.of("conf/metaproxy.yaml");

  /** The smallest valid file: one listener, one route, one cluster; everything else defaulted. */
  private static final String MINIMAL = """
      listeners:
        - name: in
          address: 127.0.0.1:20880
          protocol: dubbo
          route_config:
            routes:
              - { name: r, match: {}, route: { cluster: c } }
      clusters:
        - { name: c, endpoints: [ 127.0.0.1:20881 ] }
      """;

  @Test
  void parsesTheDesignExampleIntoRecords() throws ConfigException {
    Path file = Path.of("src/test/resources/config/design-example.yaml");

    ProxyConfig config = ConfigLoader.load(file);

    ListenerConfig listener = new ListenerConfig("dubbo-in", "0.0.0.0", 20880, "dubbo", Duration.ofSeconds(300),
        8 * 1024 * 1024,
        List.of(
            new FilterSpec("local_ratelimit",
                Map.of("token_bucket", Map.of("max_tokens", 1000L, "tokens_per_fill", 1000L, "fill_interval", "1s")),
                new Location(file, 10, "listeners[0].filters[0].config")),
            new FilterSpec("lua", Map.of("file", "filters/canary.lua"),
                new Location(file, 12, "listeners[0].filters[1].config"))),
        new RouteConfig("dubbo-routes", List.of(
            new RouteSpec("greet-canary",
                List.of(
                    new MetadataMatcher("interface", Kind.EXACT, "org.example.GreetingService", null, false),
                    new MetadataMatcher("method", Kind.PREFIX, "say", null, false),
                    new MetadataMatcher("x-canary", Kind.PRESENT, "true", null, false)),
                new RouteAction(null,
                    List.of(new WeightedCluster("greet-v1", 80), new WeightedCluster("greet-v2", 20)),
                    Duration.ofSeconds(3),
                    new RetryPolicy(2, List.of("connect_failure", "timeout")),
                    new MirrorPolicy("greet-shadow", 0.1),
                    List.of("user-id")),
                List.of(new HeaderValue("x-routed-by", "metaproxy")),
                List.of(new HeaderValue("x-served-by", "greet-v2")),
                new Location(file, 17, "listeners[0].route_config.routes[0]")),
            new RouteSpec("default", List.of(),
                new RouteAction("greet-v1", List.of(), Duration.ofSeconds(15), null, null, List.of()),
                List.of(), List.of(),
                new Location(file, 31, "listeners[0].route_config.routes[1]")))),
        new Location(file, 4, "listeners[0]"));
    List<ClusterConfig> clusters = List.of(
        new ClusterConfig("greet-v1", List.of(new Endpoint("127.0.0.1", 20881), new Endpoint("127.0.0.1", 20882)),
            LbPolicy.LEAST_REQUEST, new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 4), Duration.ofSeconds(1),
            new CircuitBreakers(1024, 1024, 4096), new OutlierDetection(5, Duration.ofSeconds(30)),
            new HealthCheck(Duration.ofSeconds(5), Duration.ofSeconds(1)), new Location(file, 35, "clusters[0]")),
        new ClusterConfig("greet-v2", List.of(new Endpoint("127.0.0.1", 20883)), LbPolicy.ROUND_ROBIN,
            new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 1), Duration.ofSeconds(1),
            new CircuitBreakers(1024, 1024, 1024), null, null, new Location(file, 43, "clusters[1]")),
        new ClusterConfig("greet-shadow", List.of(new Endpoint("127.0.0.1", 20884)), LbPolicy.ROUND_ROBIN,
            new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 1), Duration.ofSeconds(1),
            new CircuitBreakers(1024, 1024, 1024), null, null, new Location(file, 45, "clusters[2]")));
    Path configFolder = file.toAbsolutePath().getParent();
    assertThat(config).isEqualTo(new ProxyConfig(file, new AdminConfig("127.0.0.1", 9901),
        new PluginsConfig(configFolder.resolve("plugins")), List.of(listener), clusters));
    assertThat(config.cluster("greet-v2")).contains(clusters.get(1));
    assertThat(config.cluster("nope")).isEmpty();
  }

  @Test
  void appliesDefaults() throws ConfigException {
    ProxyConfig config = ConfigLoader.parse(MINIMAL, NOMINAL);

    assertThat(config.source()).isEqualTo(NOMINAL);
    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9901));
    assertThat(config.plugins().dir()).isEqualTo(NOMINAL.toAbsolutePath().getParent().resolve("plugins"));
    ListenerConfig listener = config.listeners().get(0);
    assertThat(listener.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(listener.maxFrameSize()).isEqualTo(8_388_608);
    assertThat(listener.filters()).isEmpty();
    assertThat(listener.routeConfig().name()).as("route_config name defaults to the listener's").isEqualTo("in");
    RouteSpec route = listener.routeConfig().routes().get(0);
    assertThat(route.match()).isEmpty();
    assertThat(route.requestMutation()).isEmpty();
    assertThat(route.responseMutation()).isEmpty();
    assertThat(route.action()).isEqualTo(
        new RouteAction("c", List.of(), Duration.ofSeconds(15), null, null, List.of()));
    ClusterConfig cluster = config.clusters().get(0);
    assertThat(cluster.lbPolicy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    assertThat(cluster.connectionPool()).isEqualTo(new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 1));
    assertThat(cluster.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(cluster.circuitBreakers()).isEqualTo(new CircuitBreakers(1024, 1024, 1024));
    assertThat(cluster.outlierDetection()).isNull();
    assertThat(cluster.healthCheck()).isNull();
  }

  @Test
  void partialSectionsKeepTheirOtherDefaults() throws ConfigException {
    String yaml = """
        admin: {}
        plugins:
        listeners:
          - name: in
            address: 127.0.0.1:20880
            protocol: dubbo
            idle_timeout:
            filters:
            route_config:
              routes:
                - name: r
                  match: { metadata: [ { name: m, exact: "" } ] }
                  route: { cluster: c, retry: {}, mirror: { cluster: c } }
        clusters:
          - name: c
            endpoints: [ 127.0.0.1:20881 ]
            connection_pool: { max_connections: 8 }
            circuit_breakers: { max_requests: 10 }
            outlier_detection: {}
            health_check: { timeout: 2s }
        """;

    ProxyConfig config = ConfigLoader.parse(yaml, NOMINAL);

    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9901));
    assertThat(config.listeners().get(0).idleTimeout()).isEqualTo(Duration.ofSeconds(300));
    RouteAction action = config.listeners().get(0).routeConfig().routes().get(0).action();
    assertThat(action.retry()).isEqualTo(new RetryPolicy(1, List.of("connect_failure")));
    assertThat(action.mirror()).isEqualTo(new MirrorPolicy("c", 1.0));
    assertThat(config.listeners().get(0).routeConfig().routes().get(0).match())
        .containsExactly(new MetadataMatcher("m", Kind.EXACT, "", null, false));
    ClusterConfig cluster = config.clusters().get(0);
    assertThat(cluster.connectionPool()).isEqualTo(new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 8));
    assertThat(cluster.circuitBreakers()).isEqualTo(new CircuitBreakers(1024, 1024, 10));
    assertThat(cluster.outlierDetection()).isEqualTo(new OutlierDetection(5, Duration.ofSeconds(30)));
    assertThat(cluster.healthCheck()).isEqualTo(new HealthCheck(Duration.ofSeconds(5), Duration.ofSeconds(2)));
  }

  @Test
  void readsEveryMatcherKind() throws ConfigException {
    String yaml = """
        listeners:
          - name: in
            address: 127.0.0.1:20880
            protocol: dubbo
            route_config:
              routes:
                - name: r
                  match:
                    metadata:
                      - { name: a, exact: "1.10" }
                      - { name: b, prefix: say }
                      - { name: c, suffix: Impl }
                      - { name: d, regex: "v[0-9]+", invert: true }
                      - { name: e, present: false }
                      - { name: f, exact: 2 }
                  route: { cluster: c }
        clusters:
          - { name: c, endpoints: [ 127.0.0.1:20881 ] }
        """;

    List<MetadataMatcher> match =
        ConfigLoader.parse(yaml, NOMINAL).listeners().get(0).routeConfig().routes().get(0).match();

    assertThat(match).extracting(MetadataMatcher::name, MetadataMatcher::kind, MetadataMatcher::value,
            MetadataMatcher::invert)
        .containsExactly(
            tuple("a", Kind.EXACT, "1.10", false),
            tuple("b", Kind.PREFIX, "say", false),
            tuple("c", Kind.SUFFIX, "Impl", false),
            tuple("d", Kind.REGEX, "v[0-9]+", true),
            tuple("e", Kind.PRESENT, "false", false),
            tuple("f", Kind.EXACT, "2", false));
    MetadataMatcher regex = match.get(3);
    assertThat(regex.regex().pattern()).isEqualTo("v[0-9]+");
    assertThat(regex.matches("v12")).as("inverted").isFalse();
    assertThat(regex.matches("xv12")).as("whole value must match, inverted").isTrue();
    assertThat(match.get(4).matches(null)).isTrue();
    assertThat(match.get(4).matches("x")).isFalse();
  }

  @Test
  void passesFilterConfigThroughAsImmutablePlainValues() throws ConfigException {
    String yaml = """
        listeners:
          - name: in
            address: 127.0.0.1:20880
            protocol: dubbo
            filters:
              - name: example
                config:
                  text: hello
                  quoted_number: "42"
                  flag: True
                  count: 0x10
                  big: 9223372036854775807
                  ratio: 0.25
                  infinite: .inf
                  list: [ a, 1, { nested: true } ]
                  map: { inner: [ 1.5 ] }
                  empty_map: {}
              - name: bare
              - name: router
            route_config:
              routes:
                - { name: r, match: {}, route: { cluster: c } }
        clusters:
          - { name: c, endpoints: [ 127.0.0.1:20881 ] }
        """;

    List<FilterSpec> filters = ConfigLoader.parse(yaml, NOMINAL).listeners().get(0).filters();

    assertThat(filters).extracting(FilterSpec::name).containsExactly("example", "bare");
    Map<String, Object> settings = filters.get(0).settings();
    assertThat(settings).containsExactly(
        Map.entry("text", "hello"),
        Map.entry("quoted_number", "42"),
        Map.entry("flag", true),
        Map.entry("count", 16L),
        Map.entry("big", Long.MAX_VALUE),
        Map.entry("ratio", 0.25),
        Map.entry("infinite", Double.POSITIVE_INFINITY),
        Map.entry("list", List.of("a", 1L, Map.of("nested", true))),
        Map.entry("map", Map.of("inner", List.of(1.5))),
        Map.entry("empty_map", Map.of()));
    assertThat(filters.get(1).settings()).isEmpty();
    assertThat(filters.get(1).location().field()).isEqualTo("listeners[0].filters[1].config");
    assertThatThrownBy(() -> settings.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) settings.get("list");
    assertThatThrownBy(() -> list.add("x")).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = (Map<String, Object>) list.get(2);
    assertThatThrownBy(() -> nested.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void recordsAreImmutable() throws ConfigException {
    ProxyConfig config = ConfigLoader.parse(MINIMAL, NOMINAL);

    assertThatThrownBy(() -> config.listeners().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.clusters().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.listeners().get(0).routeConfig().routes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.clusters().get(0).endpoints().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void readsAddressesDurationsAndEnums() throws ConfigException {
    String yaml = """
        admin: { address: "[::1]:0" }
        listeners:
          - name: a
            address: 0.0.0.0:0
            protocol: bolt
            idle_timeout: 0
            max_frame_size: 1024
            route_config:
              routes:
                - name: r
                  match: {}
                  route: { cluster: c, timeout: 1m30s }
          - name: b
            address: localhost:0
            protocol: bolt
            idle_timeout: 250ms
            route_config:
              routes: [ { name: r, match: {}, route: { cluster: c, timeout: 2h } } ]
        clusters:
          - name: c
            endpoints: [ "[fe80::1%eth0]:12200", my-host.example:65535 ]
            lb_policy: maglev
            connection_pool: { mode: ping_pong, max_connections: 2 }
            connect_timeout: 5s
        """;

    ProxyConfig config = ConfigLoader.parse(yaml, NOMINAL);

    assertThat(config.admin()).isEqualTo(new AdminConfig("::1", 0));
    assertThat(config.listeners()).extracting(ListenerConfig::host, ListenerConfig::port, ListenerConfig::idleTimeout)
        .containsExactly(
            tuple("0.0.0.0", 0, Duration.ZERO),
            tuple("localhost", 0, Duration.ofMillis(250)));
    assertThat(config.listeners().get(0).maxFrameSize()).isEqualTo(1024);
    assertThat(config.listeners().get(0).routeConfig().routes().get(0).action().timeout())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(config.listeners().get(1).routeConfig().routes().get(0).action().timeout())
        .isEqualTo(Duration.ofHours(2));
    ClusterConfig cluster = config.clusters().get(0);
    assertThat(cluster.endpoints())
        .containsExactly(new Endpoint("fe80::1%eth0", 12200), new Endpoint("my-host.example", 65535));
    assertThat(cluster.endpoints().get(0)).hasToString("[fe80::1%eth0]:12200");
    assertThat(cluster.lbPolicy()).isEqualTo(LbPolicy.MAGLEV);
    assertThat(cluster.connectionPool()).isEqualTo(new ConnectionPool(ConnectionPool.Mode.PING_PONG, 2));
    assertThat(cluster.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anchorsAndMergeKeysWork() throws ConfigException {
    // Top-level extra keys are errors, so the anchors live on the first cluster and the second reuses them.
    String yaml = """
        listeners:
          - name: in
            address: 127.0.0.1:20880
            protocol: dubbo
            route_config:
              routes:
                - { name: r, match: {}, route: { cluster: c } }
        clusters:
          - name: c
            endpoints: &eps [ 127.0.0.1:20881 ]
            connection_pool: &pool { mode: ping_pong, max_connections: 3 }
          - name: d
            endpoints: *eps
            connection_pool: { <<: *pool, max_connections: 5 }
        """;

    ProxyConfig config = ConfigLoader.parse(yaml, NOMINAL);

    assertThat(config.clusters().get(1).endpoints()).containsExactly(new Endpoint("127.0.0.1", 20881));
    assertThat(config.clusters().get(1).connectionPool())
        .isEqualTo(new ConnectionPool(ConnectionPool.Mode.PING_PONG, 5));
  }

  @Test
  void resolvesPluginsDirAgainstTheConfigFolder(@TempDir Path dir) throws IOException, ConfigException {
    Path file = dir.resolve("sub/proxy.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "plugins: { dir: ../my-plugins }\n" + MINIMAL);
    Path absolute = dir.resolve("elsewhere").toAbsolutePath();

    assertThat(ConfigLoader.load(file).plugins().dir()).isEqualTo(dir.resolve("my-plugins"));
    assertThat(ConfigLoader.parse("plugins: { dir: '" + absolute + "' }\n" + MINIMAL, file).plugins().dir())
        .isEqualTo(absolute);
  }

  @Test
  void reportsAnUnreadableFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": no such file");

    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
    assertThatThrownBy(() -> ConfigLoader.load(binary))
        .isInstanceOf(ConfigException.class)
        .hasMessage(binary + ": is not UTF-8 text");
  }

  @Test
  void loadsEveryShippedExample() throws IOException, ConfigException {
    Path examples = repositoryRoot().resolve("conf/examples");
    List<Path> files;
    try (Stream<Path> listing = Files.list(examples)) {
      files = listing.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).contains(examples.resolve("reference.yaml"));
    for (Path file : files) {
      assertThat(ConfigLoader.load(file).listeners()).as(file.toString()).isNotEmpty();
    }
  }

  @Test
  void referenceExampleSetsEveryFieldToWhatItSays() throws ConfigException {
    ProxyConfig config = ConfigLoader.load(repositoryRoot().resolve("conf/examples/reference.yaml"));

    assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("dubbo-in", "thrift-in");
    ListenerConfig dubbo = config.listeners().get(0);
    assertThat(dubbo.filters()).extracting(FilterSpec::name).containsExactly("local_ratelimit", "lua");
    RouteSpec canary = dubbo.routeConfig().routes().get(0);
    assertThat(canary.match()).extracting(MetadataMatcher::kind)
        .containsExactly(Kind.EXACT, Kind.PREFIX, Kind.SUFFIX, Kind.PRESENT, Kind.REGEX);
    assertThat(canary.match().get(4).invert()).isTrue();
    assertThat(canary.action().retry()).isEqualTo(new RetryPolicy(2, List.of("connect_failure", "timeout")));
    assertThat(canary.requestMutation()).containsExactly(new HeaderValue("x-routed-by", "metaproxy"));
    assertThat(config.listeners().get(1).routeConfig().name()).isEqualTo("thrift-in");
    assertThat(config.cluster("greet-shadow").orElseThrow().endpoints()).containsExactly(new Endpoint("::1", 20884));
    assertThat(config.cluster("calc").orElseThrow().connectionPool().mode())
        .isEqualTo(ConnectionPool.Mode.PING_PONG);
  }

  @Test
  void referenceExampleDocumentsEveryKey() throws IOException {
    String reference = Files.readString(repositoryRoot().resolve("conf/examples/reference.yaml"));
    // Every key the loader accepts; a key added to the loader belongs here and in reference.yaml.
    List<String> keys = List.of("admin", "address", "plugins", "dir", "listeners", "name", "protocol",
        "idle_timeout", "max_frame_size", "filters", "config", "route_config", "rds", "routes", "match", "metadata",
        "exact", "prefix", "suffix", "regex", "present", "invert", "route", "cluster", "weighted_clusters",
        "weight", "timeout", "retry", "attempts", "on", "mirror", "fraction", "hash_policy", "request_mutation",
        "response_mutation", "key", "value", "clusters", "endpoints", "lb_policy", "connection_pool", "mode",
        "max_connections", "connect_timeout", "circuit_breakers", "max_pending_requests", "max_requests",
        "outlier_detection", "consecutive_errors", "base_ejection_time", "health_check", "interval");
    for (String key : keys) {
      assertThat(reference).as("reference.yaml mentions %s", key).containsPattern("\\b" + key + "\\b");
    }
    for (LbPolicy policy : LbPolicy.values()) {
      assertThat(reference).contains(policy.name().toLowerCase(Locale.ROOT));
    }
    for (String condition : ConfigLoader.RETRY_CONDITIONS) {
      assertThat(reference).contains(condition);
    }
  }

  /** The repository root: tests run in the host module's folder. */
  static Path repositoryRoot() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
  }
}
