package io.metaproxy.bench.jmh;

import io.metaproxy.api.Metadata;
import io.metaproxy.bench.jmh.host.RequestTemplate;
import io.metaproxy.bench.jmh.host.ClasspathDubboCodecFactory;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.metaproxy.host.config.ConfigLoader;
import io.metaproxy.host.config.ProxyConfig;
import io.metaproxy.host.route.MetadataView;
import io.metaproxy.host.route.Route;
import io.metaproxy.host.route.RouteTable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's route match: the host's {@link RouteTable#match} over {@code routes} routes (100), compiled by the
 * host from YAML, on a request the Dubbo codec decoded from the load generator's bytes.
 *
 * <p>Route {@code i} matches three keys, as a typical Aeraki/Envoy route does: {@code interface} against {@code
 * io.metaproxy.bench.Service<i>} (zero-padded to three digits, so no route's value is a prefix of another's) with the
 * {@code matcher} kind ({@code exact}, {@code prefix} or {@code regex}), {@code method} exact {@code echo}, and {@code
 * x-user} present. The request's interface selects the {@code target}:
 *
 * <ul>
 *   <li>{@code first}: route 0 matches (three matchers evaluated);
 *   <li>{@code middle}: route {@code routes/2} matches, after as many routes failed on their first matcher;
 *   <li>{@code none}: no route matches, after every route failed on its first matcher (the value differs from each
 *       route's only in its last digits: the slowest case for {@code equals}). The host then replies {@code
 *       route_not_found}.
 * </ul>
 *
 * The view is {@code metadata::get}; the host's own view ({@code Exchange}) checks the request's Mutation first, a
 * null check when no filter mutated anything. Run: {@code java -jar bench/target/metaproxy-bench.jar jmh
 * RouteMatchBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class RouteMatchBenchmark {
  /** The interface every route's name is made from; route {@code i} serves {@code SERVICE + "%03d"}. */
  public static final String SERVICE = "io.metaproxy.bench.Service";

  @Param("100")
  public int routes;

  @Param({"first", "middle", "none"})
  public String target;

  @Param({"exact", "prefix", "regex"})
  public String matcher;

  private RouteTable table;
  private Metadata request;
  private MetadataView view;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ProxyConfig config = ConfigLoader.parse(yaml(routes, matcher), Path.of("route-match-benchmark.yaml"));
    table = new RouteTable(config.listeners().get(0).routeConfig());
    int index = switch (target) {
      case "first" -> 0;
      case "middle" -> routes / 2;
      case "none" -> routes;
      default -> throw new IllegalArgumentException("target: first, middle or none, not " + target);
    };
    RequestShape shape = new RequestShape(service(index), "1.0.0", "echo", 1024,
        Map.of("x-bench-token", "bench", "x-user", "bench-user"));
    try (RequestTemplate template = new RequestTemplate(
        BenchProtocol.named("dubbo"), new ClasspathDubboCodecFactory().create(), shape, 1)) {
      request = template.decoded();
    }
    Metadata decoded = request;
    view = decoded::get;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    request = null;
  }

  /** The matched route (null for {@code none}). */
  @Benchmark
  public Route match() {
    return table.match(view);
  }

  /** The name of route {@code index}'s interface. */
  public static String service(int index) {
    return SERVICE + String.format("%03d", index);
  }

  /** The benchmark's configuration: one listener, {@code routes} routes, one cluster. */
  public static String yaml(int routes, String matcher) {
    StringBuilder yaml = new StringBuilder()
        .append("listeners:\n")
        .append("  - name: bench\n")
        .append("    address: 127.0.0.1:0\n")
        .append("    protocol: dubbo\n")
        .append("    route_config:\n")
        .append("      name: bench\n")
        .append("      routes:\n");
    for (int i = 0; i < routes; i++) {
      String service = service(i);
      String interfaceMatcher = switch (matcher) {
        case "exact" -> "exact: " + service;
        case "prefix" -> "prefix: " + service;
        case "regex" -> "regex: '" + service.replace(".", "\\.") + "'";
        default -> throw new IllegalArgumentException("matcher: exact, prefix or regex, not " + matcher);
      };
      yaml.append("        - name: route-").append(i).append('\n')
          .append("          match:\n")
          .append("            metadata:\n")
          .append("              - { name: interface, ").append(interfaceMatcher).append(" }\n")
          .append("              - { name: method, exact: echo }\n")
          .append("              - { name: x-user, present: true }\n")
          .append("          route: { cluster: echo }\n");
    }
    yaml.append("clusters:\n")
        .append("  - name: echo\n")
        .append("    endpoints: [ 127.0.0.1:9 ]\n");
    return yaml.toString();
  }
}
