package io.metaproxy.host.config;

import io.metaproxy.host.config.ClusterConfig.CircuitBreakers;
import io.metaproxy.host.config.ClusterConfig.ConnectionPool;
import io.metaproxy.host.config.ClusterConfig.Endpoint;
import io.metaproxy.host.config.ClusterConfig.HealthCheck;
import io.metaproxy.host.config.ClusterConfig.LbPolicy;
import io.metaproxy.host.config.ClusterConfig.OutlierDetection;
import io.metaproxy.host.config.MetadataMatcher.Kind;
import io.metaproxy.host.config.NodeReader.Fields;
import io.metaproxy.host.config.RouteAction.MirrorPolicy;
import io.metaproxy.host.config.RouteAction.RetryPolicy;
import io.metaproxy.host.config.RouteAction.WeightedCluster;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a metaproxy YAML file into a validated {@link ProxyConfig}, or fails with the first {@link ConfigException},
 * whose message names the file, the 1-based line and the field, as in {@code conf/metaproxy.yaml:14:
 * listeners[0].route_config.routes[1].match.metadata[0].exact: must be a string}.
 *
 * <p>The YAML is composed into nodes (snakeyaml-engine's low-level API, YAML 1.2 core schema) rather than loaded
 * into maps, so that every value keeps the line it was written on. Everything the file alone can tell is checked
 * here: types, unknown keys, required keys, value ranges, regexes, cluster references, duplicate names and
 * addresses. What needs plugins (is the protocol provided? does a filter accept its {@code config:}?) is checked
 * where the snapshot is built, using the {@link Location}s kept in the records.
 *
 * <p>The reference for every field, its type and default is {@code conf/examples/reference.yaml}.
 */
public final class ConfigLoader {
  /** {@code admin.address} when not configured. Loopback only: the admin API can reload and drain. */
  public static final Endpoint DEFAULT_ADMIN_ADDRESS = new Endpoint("127.0.0.1", 9901);
  /** {@code plugins.dir} when not configured, relative to the config file's folder. */
  public static final String DEFAULT_PLUGINS_DIR = "plugins";
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;
  /** A route's {@code timeout} when not configured (Envoy's default). */
  public static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Envoy's circuit breaker defaults. */
  public static final CircuitBreakers DEFAULT_CIRCUIT_BREAKERS = new CircuitBreakers(1024, 1024, 1024);
  /** One multiplexed connection per endpoint per event loop. */
  public static final ConnectionPool DEFAULT_CONNECTION_POOL =
      new ConnectionPool(ConnectionPool.Mode.MULTIPLEX, 1);
  public static final int DEFAULT_RETRY_ATTEMPTS = 1;
  /** A retry's {@code on:} when not configured: only failures where the request surely never left. */
  public static final List<String> DEFAULT_RETRY_ON = List.of("connect_failure");
  /**
   * What a retry's {@code on:} may name: {@code connect_failure} (the upstream connection could not be opened),
   * {@code reset} (it closed before the response), {@code timeout} (the try's time ran out).
   */
  public static final List<String> RETRY_CONDITIONS = List.of("connect_failure", "reset", "timeout");
  public static final int DEFAULT_OUTLIER_CONSECUTIVE_ERRORS = 5;
  public static final Duration DEFAULT_OUTLIER_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(1);
  /** The filter that ends every chain; listed last or not at all. */
  public static final String ROUTER_FILTER = "router";

  private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::");

  private final NodeReader reader;
  private final Path file;
  /** Clusters by name, filled before listeners are read so that routes can be checked against them. */
  private final Map<String, ClusterConfig> clustersByName = new LinkedHashMap<>();
  /** Cluster name to the listener whose protocol it was first used with: a cluster speaks one protocol. */
  private final Map<String, ListenerRef> clusterUsers = new HashMap<>();

  private ConfigLoader(Path file) {
    this.file = file;
    this.reader = new NodeReader(file);
  }

  /**
   * Reads and validates {@code file} (UTF-8).
   *
   * @throws ConfigException when the file cannot be read, is not YAML, or is not a valid configuration
   */
  public static ProxyConfig load(Path file) throws ConfigException {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Location(file, 0, "").error("no such file");
    } catch (CharacterCodingException e) {
      throw new Location(file, 0, "").error("is not UTF-8 text");
    } catch (IOException e) {
      throw new Location(file, 0, "").error("cannot be read: " + e);
    }
    return parse(text, file);
  }

  /**
   * Validates {@code yaml} as if read from {@code nominalFile}, which errors name and against whose folder {@code
   * plugins.dir} is resolved; the file itself is not read.
   *
   * @throws ConfigException when {@code yaml} is not YAML or not a valid configuration
   */
  public static ProxyConfig parse(String yaml, Path nominalFile) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(nominalFile, "nominalFile");
    return new ConfigLoader(nominalFile).proxy(compose(yaml, nominalFile));
  }

  private static Node compose(String yaml, Path file) throws ConfigException {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(file.toString())
        // YAML 1.2 core: true/True/TRUE are booleans, "yes" and "on" stay strings (retry `on:` is a key, not true).
        .setSchema(new CoreSchema())
        .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(yaml);
    } catch (MarkedYamlEngineException e) {
      throw syntaxError(file, e);
    } catch (ReaderException e) {
      int line = 1 + (int) yaml.codePoints().limit(e.getPosition()).filter(c -> c == '\n').count();
      throw new Location(file, line, "")
          .error(String.format("YAML syntax error: character U+%04X is not allowed", e.getCodePoint()));
    } catch (YamlEngineException e) {
      throw new Location(file, 0, "").error("YAML error: " + e.getMessage());
    }
    if (root.isEmpty()) {
      throw new Location(file, 1, "").error("the configuration is empty");
    }
    return root.get();
  }

  private static ConfigException syntaxError(Path file, MarkedYamlEngineException e) {
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    int line = mark.map(m -> m.getLine() + 1).orElse(0);
    String problem = e.getProblem();
    String message;
    if (problem != null && problem.contains("another document")) {
      message = "a config file holds one YAML document; found a second one (---)";
    } else if (e.getContext() != null && !e.getContext().isBlank()) {
      String where = e.getContextMark().map(m -> " at line " + (m.getLine() + 1)).orElse("");
      message = problem + " (" + e.getContext() + where + ")";
    } else {
      message = problem;
    }
    return new Location(file, line, "").error("YAML syntax error: " + message);
  }

  private ProxyConfig proxy(Node root) throws ConfigException {
    if (!(root instanceof MappingNode)) {
      throw reader.error(root, "", "the top level must be a mapping (admin, plugins, listeners, clusters)");
    }
    Fields top = reader.fields(root, "", "admin", "plugins", "listeners", "clusters");

    Node adminNode = top.optional("admin");
    Endpoint adminAddress = DEFAULT_ADMIN_ADDRESS;
    Location adminLocation = null;
    if (adminNode != null) {
      Fields admin = reader.fields(adminNode, "admin", "address");
      Node address = admin.optional("address");
      if (address != null) {
        adminAddress = reader.address(address, admin.path("address"), 0);
        adminLocation = reader.at(address, admin.path("address"));
      }
    }

    Path pluginsDir = Path.of(DEFAULT_PLUGINS_DIR);
    Node pluginsNode = top.optional("plugins");
    if (pluginsNode != null) {
      Fields plugins = reader.fields(pluginsNode, "plugins", "dir");
      Node dir = plugins.optional("dir");
      if (dir != null) {
        pluginsDir = Path.of(reader.nonEmptyString(dir, plugins.path("dir")));
      }
    }
    // Relative to the config file, not the working directory: `bin/metaproxy run` works from any folder.
    Path configFolder = file.toAbsolutePath().normalize().getParent();
    pluginsDir = (configFolder == null ? pluginsDir : configFolder.resolve(pluginsDir)).normalize();

    // Clusters first, whatever their place in the file, so that routes can be checked against them.
    List<ClusterConfig> clusters = new ArrayList<>();
    Node clustersNode = top.optional("clusters");
    if (clustersNode != null) {
      List<Node> items = reader.list(clustersNode, "clusters");
      for (int i = 0; i < items.size(); i++) {
        ClusterConfig cluster = cluster(items.get(i), NodeReader.index("clusters", i));
        clusters.add(cluster);
      }
    }

    List<Node> listenerNodes = reader.nonEmptyList(top.required("listeners"), "listeners");
    List<ListenerConfig> listeners = new ArrayList<>();
    Map<String, ListenerConfig> listenersByName = new HashMap<>();
    List<Bound> bound = new ArrayList<>();
    bound.add(new Bound("admin", adminAddress, adminLocation));
    for (int i = 0; i < listenerNodes.size(); i++) {
      Node node = listenerNodes.get(i);
      ListenerConfig listener = listener(node, NodeReader.index("listeners", i), listenersByName, bound);
      listeners.add(listener);
    }
    return new ProxyConfig(file, new AdminConfig(adminAddress.host(), adminAddress.port()),
        new PluginsConfig(pluginsDir), listeners, clusters);
  }

  /** An address something listens on, to catch two of them on the same port. */
  private record Bound(String owner, Endpoint address, Location location) {
    boolean clashes(Endpoint other) {
      // Port 0 picks a free port, so any number of listeners may ask for it.
      return address.port() != 0
          && address.port() == other.port()
          && (address.host().equals(other.host())
              || WILDCARD_HOSTS.contains(address.host())
              || WILDCARD_HOSTS.contains(other.host()));
    }
  }

  /** The parts of a listener its routes need to know while they are read. */
  private record ListenerRef(String name, String protocol, int line) {}

  private ListenerConfig listener(
      Node node, String path, Map<String, ListenerConfig> listenersByName, List<Bound> bound)
      throws ConfigException {
    Fields f = reader.fields(node, path, "name", "address", "protocol", "idle_timeout", "max_frame_size",
        "filters", "route_config", "rds");
    Node nameNode = f.required("name");
    String name = reader.nonEmptyString(nameNode, f.path("name"));
    ListenerConfig sameName = listenersByName.get(name);
    if (sameName != null) {
      throw reader.error(nameNode, f.path("name"),
          "duplicate listener name '" + name + "' (also at line " + sameName.location().line() + ")");
    }

    Node addressNode = f.required("address");
    Endpoint address = reader.address(addressNode, f.path("address"), 0);
    for (Bound other : bound) {
      if (other.clashes(address)) {
        String where = other.location() == null ? " (the default)" : " (line " + other.location().line() + ")";
        throw reader.error(addressNode, f.path("address"),
            "address " + address + " is already used by " + other.owner() + where);
      }
    }
    bound.add(new Bound("listener '" + name + "'", address, reader.at(addressNode, f.path("address"))));

    String protocol = reader.nonEmptyString(f.required("protocol"), f.path("protocol"));
    Node idle = f.optional("idle_timeout");
    Duration idleTimeout = idle == null ? DEFAULT_IDLE_TIMEOUT : reader.duration(idle, f.path("idle_timeout"));
    Node frame = f.optional("max_frame_size");
    int maxFrameSize = frame == null ? DEFAULT_MAX_FRAME_SIZE : reader.positiveInt(frame, f.path("max_frame_size"));

    List<FilterSpec> filters = filters(f.optional("filters"), f.path("filters"));

    if (f.has("rds")) {
      throw reader.error(f.keyNode("rds"), f.path("rds"),
          "rds is not supported yet; write the routes inline under route_config");
    }
    ListenerRef ref = new ListenerRef(name, protocol, NodeReader.line(node));
    RouteConfig routeConfig = routeConfig(f.required("route_config"), f.path("route_config"), ref);

    ListenerConfig listener = new ListenerConfig(name, address.host(), address.port(), protocol, idleTimeout,
        maxFrameSize, filters, routeConfig, f.location());
    listenersByName.put(name, listener);
    return listener;
  }

  private List<FilterSpec> filters(Node node, String path) throws ConfigException {
    if (node == null) {
      return List.of();
    }
    List<Node> items = reader.list(node, path);
    List<FilterSpec> filters = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String itemPath = NodeReader.index(path, i);
      Fields f = reader.fields(items.get(i), itemPath, "name", "config");
      Node nameNode = f.required("name");
      String name = reader.nonEmptyString(nameNode, f.path("name"));
      Node configNode = f.optional("config");
      Map<String, Object> settings = configNode == null ? Map.of() : reader.plainMap(configNode, f.path("config"));
      if (name.equals(ROUTER_FILTER)) {
        // The router is implicit; it may be written last, as Envoy users are used to, and means nothing more.
        if (i != items.size() - 1) {
          throw reader.error(nameNode, f.path("name"), "the router filter must be the last one");
        }
        if (!settings.isEmpty()) {
          throw reader.error(configNode, f.path("config"), "the router filter takes no config");
        }
        continue;
      }
      Node at = configNode == null ? items.get(i) : configNode;
      filters.add(new FilterSpec(name, settings, reader.at(at, f.path("config"))));
    }
    return filters;
  }

  private RouteConfig routeConfig(Node node, String path, ListenerRef listener) throws ConfigException {
    Fields f = reader.fields(node, path, "name", "routes");
    Node nameNode = f.optional("name");
    String name = nameNode == null ? listener.name() : reader.nonEmptyString(nameNode, f.path("name"));
    List<Node> items = reader.nonEmptyList(f.required("routes"), f.path("routes"));
    List<RouteSpec> routes = new ArrayList<>(items.size());
    Map<String, RouteSpec> byName = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      RouteSpec route = route(items.get(i), NodeReader.index(f.path("routes"), i), byName, listener);
      byName.put(route.name(), route);
      routes.add(route);
    }
    return new RouteConfig(name, routes);
  }

  private RouteSpec route(Node node, String path, Map<String, RouteSpec> byName, ListenerRef listener)
      throws ConfigException {
    Fields f = reader.fields(node, path, "name", "match", "route", "request_mutation", "response_mutation");
    Node nameNode = f.required("name");
    String name = reader.nonEmptyString(nameNode, f.path("name"));
    RouteSpec sameName = byName.get(name);
    if (sameName != null) {
      throw reader.error(nameNode, f.path("name"),
          "duplicate route name '" + name + "' (also at line " + sameName.location().line() + ")");
    }
    if (!f.has("match") || f.optional("match") == null) {
      // Required so that a forgotten match is not a silent catch-all shadowing the routes after it.
      Node at = f.has("match") ? f.keyNode("match") : node;
      throw reader.error(at, f.path("match"), "is required; write match: {} to match every request");
    }
    List<MetadataMatcher> matchers = match(f.optional("match"), f.path("match"));
    RouteAction action = action(f.required("route"), f.path("route"), listener);
    List<HeaderValue> requestMutation = mutation(f.optional("request_mutation"), f.path("request_mutation"));
    List<HeaderValue> responseMutation = mutation(f.optional("response_mutation"), f.path("response_mutation"));
    return new RouteSpec(name, matchers, action, requestMutation, responseMutation, f.location());
  }

  private List<MetadataMatcher> match(Node node, String path) throws ConfigException {
    Fields f = reader.fields(node, path, "metadata");
    Node metadata = f.optional("metadata");
    if (metadata == null) {
      return List.of();
    }
    List<Node> items = reader.list(metadata, f.path("metadata"));
    List<MetadataMatcher> matchers = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      matchers.add(matcher(items.get(i), NodeReader.index(f.path("metadata"), i)));
    }
    return matchers;
  }

  private MetadataMatcher matcher(Node node, String path) throws ConfigException {
    Fields f = reader.fields(node, path, "name", "exact", "prefix", "suffix", "regex", "present", "invert");
    String name = reader.nonEmptyString(f.required("name"), f.path("name"));
    Kind kind = null;
    for (Kind candidate : Kind.values()) {
      String key = candidate.name().toLowerCase(Locale.ROOT);
      if (f.has(key)) {
        if (kind != null) {
          throw reader.error(f.keyNode(key), f.path(key), "a matcher takes exactly one of exact, prefix, suffix, "
              + "regex, present; found both " + kind.name().toLowerCase(Locale.ROOT) + " and " + key);
        }
        kind = candidate;
      }
    }
    if (kind == null) {
      throw reader.error(node, path, "needs one of exact, prefix, suffix, regex, present");
    }
    String key = kind.name().toLowerCase(Locale.ROOT);
    Node valueNode = f.required(key);
    String valuePath = f.path(key);
    String value;
    Pattern regex = null;
    switch (kind) {
      case EXACT -> value = reader.string(valueNode, valuePath);
      case PREFIX, SUFFIX -> value = reader.nonEmptyString(valueNode, valuePath);
      case REGEX -> {
        value = reader.nonEmptyString(valueNode, valuePath);
        try {
          regex = Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          throw reader.error(valueNode, valuePath,
              "invalid regex: " + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
      }
      case PRESENT -> value = Boolean.toString(reader.bool(valueNode, valuePath));
      default -> throw new AssertionError(kind);
    }
    Node invertNode = f.optional("invert");
    boolean invert = invertNode != null && reader.bool(invertNode, f.path("invert"));
    return new MetadataMatcher(name, kind, value, regex, invert);
  }

  private RouteAction action(Node node, String path, ListenerRef listener) throws ConfigException {
    Fields f = reader.fields(node, path, "cluster", "weighted_clusters", "timeout", "retry", "mirror",
        "hash_policy");
    String cluster = null;
    List<WeightedCluster> weighted = List.of();
    if (f.has("cluster") && f.has("weighted_clusters")) {
      throw reader.error(f.keyNode("weighted_clusters"), f.path("weighted_clusters"),
          "set either cluster or weighted_clusters, not both");
    }
    if (f.has("cluster")) {
      Node clusterNode = f.required("cluster");
      cluster = reader.nonEmptyString(clusterNode, f.path("cluster"));
      useCluster(cluster, clusterNode, f.path("cluster"), listener);
    } else if (f.has("weighted_clusters")) {
      weighted = weightedClusters(f.required("weighted_clusters"), f.path("weighted_clusters"), listener);
    } else {
      throw reader.error(node, path, "needs cluster or weighted_clusters");
    }

    Node timeoutNode = f.optional("timeout");
    Duration timeout =
        timeoutNode == null ? DEFAULT_ROUTE_TIMEOUT : reader.positiveDuration(timeoutNode, f.path("timeout"));

    RetryPolicy retry = null;
    Node retryNode = f.optional("retry");
    if (retryNode != null) {
      retry = retry(retryNode, f.path("retry"));
    }

    MirrorPolicy mirror = null;
    Node mirrorNode = f.optional("mirror");
    if (mirrorNode != null) {
      Fields m = reader.fields(mirrorNode, f.path("mirror"), "cluster", "fraction");
      Node mirrorCluster = m.required("cluster");
      String mirrorName = reader.nonEmptyString(mirrorCluster, m.path("cluster"));
      useCluster(mirrorName, mirrorCluster, m.path("cluster"), listener);
      double fraction = 1.0;
      Node fractionNode = m.optional("fraction");
      if (fractionNode != null) {
        fraction = reader.number(fractionNode, m.path("fraction"));
        if (!(fraction > 0 && fraction <= 1)) {
          throw reader.error(fractionNode, m.path("fraction"), "must be above 0 and at most 1");
        }
      }
      mirror = new MirrorPolicy(mirrorName, fraction);
    }

    List<String> hashPolicy = new ArrayList<>();
    Node hashNode = f.optional("hash_policy");
    if (hashNode != null) {
      List<Node> items = reader.list(hashNode, f.path("hash_policy"));
      for (int i = 0; i < items.size(); i++) {
        hashPolicy.add(reader.nonEmptyString(items.get(i), NodeReader.index(f.path("hash_policy"), i)));
      }
    }
    return new RouteAction(cluster, weighted, timeout, retry, mirror, hashPolicy);
  }

  private List<WeightedCluster> weightedClusters(Node node, String path, ListenerRef listener)
      throws ConfigException {
    List<Node> items = reader.nonEmptyList(node, path);
    List<WeightedCluster> weighted = new ArrayList<>(items.size());
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      String itemPath = NodeReader.index(path, i);
      Fields w = reader.fields(items.get(i), itemPath, "name", "weight");
      Node nameNode = w.required("name");
      String name = reader.nonEmptyString(nameNode, w.path("name"));
      for (WeightedCluster earlier : weighted) {
        if (earlier.name().equals(name)) {
          throw reader.error(nameNode, w.path("name"), "cluster '" + name + "' is listed twice");
        }
      }
      useCluster(name, nameNode, w.path("name"), listener);
      Node weightNode = w.required("weight");
      int weight = reader.positiveInt(weightNode, w.path("weight"));
      total += weight;
      if (total > Integer.MAX_VALUE) {
        throw reader.error(weightNode, w.path("weight"), "the weights add up to more than " + Integer.MAX_VALUE);
      }
      weighted.add(new WeightedCluster(name, weight));
    }
    return weighted;
  }

  private RetryPolicy retry(Node node, String path) throws ConfigException {
    Fields f = reader.fields(node, path, "attempts", "on");
    Node attemptsNode = f.optional("attempts");
    int attempts = attemptsNode == null ? DEFAULT_RETRY_ATTEMPTS : reader.positiveInt(attemptsNode, f.path("attempts"));
    Node onNode = f.optional("on");
    List<String> on = DEFAULT_RETRY_ON;
    if (onNode != null) {
      List<Node> items = reader.nonEmptyList(onNode, f.path("on"));
      List<String> conditions = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        String itemPath = NodeReader.index(f.path("on"), i);
        String condition = reader.string(items.get(i), itemPath);
        if (!RETRY_CONDITIONS.contains(condition)) {
          throw reader.error(items.get(i), itemPath, "must be one of " + String.join(", ", RETRY_CONDITIONS)
              + ", not '" + condition + "'");
        }
        if (conditions.contains(condition)) {
          throw reader.error(items.get(i), itemPath, "'" + condition + "' is listed twice");
        }
        conditions.add(condition);
      }
      on = conditions;
    }
    return new RetryPolicy(attempts, on);
  }

  private List<HeaderValue> mutation(Node node, String path) throws ConfigException {
    if (node == null) {
      return List.of();
    }
    List<Node> items = reader.list(node, path);
    List<HeaderValue> values = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Fields f = reader.fields(items.get(i), NodeReader.index(path, i), "key", "value");
      String key = reader.nonEmptyString(f.required("key"), f.path("key"));
      // `value: ""` sets the empty string; `value:` with nothing after it is a YAML null, most likely an omission.
      String value = reader.string(f.required("value"), f.path("value"));
      values.add(new HeaderValue(key, value));
    }
    return values;
  }

  /** Checks that a route may send traffic to {@code name}: it is defined, and all its users speak one protocol. */
  private void useCluster(String name, Node node, String path, ListenerRef listener) throws ConfigException {
    if (!clustersByName.containsKey(name)) {
      String known = clustersByName.isEmpty() ? "no clusters are defined" : "defined: "
          + String.join(", ", clustersByName.keySet());
      throw reader.error(node, path, "unknown cluster '" + name + "' (" + known + ")");
    }
    ListenerRef firstUser = clusterUsers.putIfAbsent(name, listener);
    if (firstUser != null && !firstUser.protocol().equals(listener.protocol())) {
      throw reader.error(node, path, "cluster '" + name + "' already serves listener '" + firstUser.name()
          + "' (line " + firstUser.line() + "), which speaks " + firstUser.protocol() + ", not "
          + listener.protocol() + "; a cluster speaks one protocol");
    }
  }

  private ClusterConfig cluster(Node node, String path) throws ConfigException {
    Fields f = reader.fields(node, path, "name", "endpoints", "lb_policy", "connection_pool", "connect_timeout",
        "circuit_breakers", "outlier_detection", "health_check");
    Node nameNode = f.required("name");
    String name = reader.nonEmptyString(nameNode, f.path("name"));
    ClusterConfig sameName = clustersByName.get(name);
    if (sameName != null) {
      throw reader.error(nameNode, f.path("name"),
          "duplicate cluster name '" + name + "' (also at line " + sameName.location().line() + ")");
    }

    List<Node> endpointNodes = reader.nonEmptyList(f.required("endpoints"), f.path("endpoints"));
    List<Endpoint> endpoints = new ArrayList<>(endpointNodes.size());
    for (int i = 0; i < endpointNodes.size(); i++) {
      endpoints.add(reader.address(endpointNodes.get(i), NodeReader.index(f.path("endpoints"), i), 1));
    }

    Node lbNode = f.optional("lb_policy");
    LbPolicy lbPolicy = lbNode == null ? LbPolicy.ROUND_ROBIN : reader.enumValue(lbNode, f.path("lb_policy"),
        LbPolicy.class);

    ConnectionPool pool = DEFAULT_CONNECTION_POOL;
    Node poolNode = f.optional("connection_pool");
    if (poolNode != null) {
      Fields p = reader.fields(poolNode, f.path("connection_pool"), "mode", "max_connections");
      Node mode = p.optional("mode");
      Node max = p.optional("max_connections");
      pool = new ConnectionPool(
          mode == null ? pool.mode() : reader.enumValue(mode, p.path("mode"), ConnectionPool.Mode.class),
          max == null ? pool.maxConnections() : reader.positiveInt(max, p.path("max_connections")));
    }

    Node connectNode = f.optional("connect_timeout");
    Duration connectTimeout = connectNode == null ? DEFAULT_CONNECT_TIMEOUT
        : reader.positiveDuration(connectNode, f.path("connect_timeout"));

    CircuitBreakers breakers = DEFAULT_CIRCUIT_BREAKERS;
    Node breakersNode = f.optional("circuit_breakers");
    if (breakersNode != null) {
      Fields b = reader.fields(breakersNode, f.path("circuit_breakers"), "max_connections",
          "max_pending_requests", "max_requests");
      breakers = new CircuitBreakers(
          positiveIntOr(b, "max_connections", breakers.maxConnections()),
          positiveIntOr(b, "max_pending_requests", breakers.maxPendingRequests()),
          positiveIntOr(b, "max_requests", breakers.maxRequests()));
    }

    OutlierDetection outlier = null;
    Node outlierNode = f.optional("outlier_detection");
    if (outlierNode != null) {
      Fields o = reader.fields(outlierNode, f.path("outlier_detection"), "consecutive_errors",
          "base_ejection_time");
      Node ejection = o.optional("base_ejection_time");
      outlier = new OutlierDetection(
          positiveIntOr(o, "consecutive_errors", DEFAULT_OUTLIER_CONSECUTIVE_ERRORS),
          ejection == null ? DEFAULT_OUTLIER_BASE_EJECTION_TIME
              : reader.positiveDuration(ejection, o.path("base_ejection_time")));
    }

    HealthCheck healthCheck = null;
    Node healthNode = f.optional("health_check");
    if (healthNode != null) {
      Fields h = reader.fields(healthNode, f.path("health_check"), "interval", "timeout");
      Node interval = h.optional("interval");
      Node timeout = h.optional("timeout");
      healthCheck = new HealthCheck(
          interval == null ? DEFAULT_HEALTH_CHECK_INTERVAL : reader.positiveDuration(interval, h.path("interval")),
          timeout == null ? DEFAULT_HEALTH_CHECK_TIMEOUT : reader.positiveDuration(timeout, h.path("timeout")));
    }

    ClusterConfig cluster = new ClusterConfig(name, endpoints, lbPolicy, pool, connectTimeout, breakers, outlier,
        healthCheck, f.location());
    clustersByName.put(name, cluster);
    return cluster;
  }

  private int positiveIntOr(Fields f, String key, int fallback) throws ConfigException {
    Node node = f.optional(key);
    return node == null ? fallback : reader.positiveInt(node, f.path(key));
  }
}
