package io.metaproxy.bench.jmh;

import io.metaproxy.bench.jmh.host.BenchDownstream;
import io.metaproxy.bench.jmh.host.HostFixture;
import io.metaproxy.bench.jmh.host.RequestTemplate;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.metaproxy.host.filter.Exchange;
import java.nio.file.Files;
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
 * The host's filter chain, run by the host's own {@link Exchange}: one operation starts an exchange for a decoded
 * request ({@link Exchange#start}, on a snapshot the host compiled from YAML), runs {@code filters} filters of one
 * {@code kind} on the request path, then {@code bench_reply}, which answers locally; the filters' response sides run
 * in reverse on that reply; the codec encodes it (Dubbo's {@code onError}) and the exchange finishes (stats, release).
 *
 * <p>So an operation is the real request and response path of the chain without the upstream leg: what it costs
 * beyond {@code filters=0} is what {@code filters} filters of that kind add to every message. The {@code filters=0}
 * row is the fixed part (a Metadata copied from a decoded template, the exchange, the local reply encoded, stats);
 * {@code kind} does not matter there. Kinds:
 *
 * <ul>
 *   <li>{@code noop}: Java filters that return CONTINUE: the chain's own cost per filter;
 *   <li>{@code read}: each reads one key on both paths ({@code ctx.get}: the Mutation check, then the Metadata);
 *   <li>{@code write}: each sets one key on both paths (the first one allocates the Mutation);
 *   <li>{@code lua}: Lua script filters (the real engine, {@code script-engines/lua}) that read two keys, set one and
 *       keep per-request state, as {@code bench/filters/bench.lua} does;
 *   <li>{@code wasm}, {@code proxy-wasm}, {@code proxy-wasm-as}: WASM filters (the real engine, {@code
 *       script-engines/wasm}) running the modules of {@code bench/engines}, which read two keys ({@code interface},
 *       {@code method}) and set one ({@code x-engine}) on the request only: {@code engine.wasm} (metaproxy's own
 *       ABI), {@code engine-proxy-wasm-c.wasm} (the proxy-wasm ABI, in C without an SDK: the ABI's own cost) and
 *       {@code engine-proxy-wasm.wasm} (the proxy-wasm ABI through the AssemblyScript SDK: the ABI plus the SDK's
 *       own work). The modules are files: the folder is the system property {@value #ENGINES_PROPERTY}, else the
 *       first of {@code bench/engines}, {@code engines} and {@code ../bench/engines} under the working directory
 *       that holds them (JMH's forks inherit both the working directory and {@code -D} options).
 *   <li>{@code proxy-wasm-arena}, {@code proxy-wasm-context-only}: {@code engine-proxy-wasm-c.wasm}'s source built
 *       as the two variants that take its cost apart (see {@code bench/engines/engine-proxy-wasm.c}): header values
 *       allocated from a per-request arena instead of wasi-libc's malloc and free, and that without the three
 *       end-of-stream callbacks. Given by name only: {@code -p kind=proxy-wasm,proxy-wasm-arena,...}.
 * </ul>
 *
 * Not measured here: decode ({@code CodecBenchmark}), route match ({@code RouteMatchBenchmark}), the upstream and the
 * sockets ({@code ProxyRoundTripBenchmark}). Run: {@code java -jar bench/target/metaproxy-bench.jar jmh
 * FilterChainBenchmark -p kind=noop,lua}; the engines against their baseline, a Java filter that sets a key: {@code
 * ... jmh FilterChainBenchmark -p filters=1 -p kind=write,lua,wasm,proxy-wasm,proxy-wasm-as}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class FilterChainBenchmark {
  /** The Lua filter of kind {@code lua}: the same work as bench/filters/bench.lua. */
  public static final String LUA_SOURCE = String.join("\n",
      "function on_request(ctx)",
      "  local service = ctx:get('interface')",
      "  local method = ctx:get('method')",
      "  if service ~= nil and method ~= nil then ctx:set('x-bench-lua', method) end",
      "  ctx:setState('seen', '1')",
      "end",
      "function on_response(ctx)",
      "  if ctx:state('seen') == '1' then ctx:set('x-bench-lua', 'done') end",
      "end");

  /** The system property naming the folder of the {@code wasm*} kinds' modules ({@code bench/engines}). */
  public static final String ENGINES_PROPERTY = "metaproxy.bench.engines";

  @Param({"0", "1", "3", "8"})
  public int filters;

  @Param({"noop", "read", "write", "lua", "wasm", "proxy-wasm", "proxy-wasm-as"})
  // also: proxy-wasm-arena, proxy-wasm-context-only (see the class comment); not in the default set, which the
  // bench's test and the quick runs use
  public String kind;

  private HostFixture host;
  private BenchDownstream downstream;
  private RequestTemplate request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    host = HostFixture.compile(yaml(filters, kind));
    downstream = new BenchDownstream(host.listener().codecFactory());
    RequestShape shape = new RequestShape(RequestShape.DEFAULT_SERVICE, "1.0.0", "echo", 1024,
        Map.of("x-bench-token", "bench", "x-user", "bench-user"));
    request = new RequestTemplate(BenchProtocol.named("dubbo"), downstream.codec(), shape, 42);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    request.close();
    downstream.close();
    host.close();
  }

  /** One exchange, start to finish; returns the bytes written to the client so far. */
  @Benchmark
  public long exchange() {
    Exchange.start(host.snapshot(), host.listener(), downstream, 0, request.newRequest());
    return downstream.bytes();
  }

  public HostFixture host() {
    return host;
  }

  public BenchDownstream downstream() {
    return downstream;
  }

  public RequestTemplate request() {
    return request;
  }

  private static String wasm(String module, String settings) {
    return "{ name: wasm, config: { file: '" + enginesFolder().resolve(module) + "', " + settings + " } }";
  }

  /** The folder of bench/engines' modules: see the class comment. */
  static Path enginesFolder() {
    String configured = System.getProperty(ENGINES_PROPERTY);
    if (configured != null) {
      return Path.of(configured).toAbsolutePath();
    }
    for (String candidate : new String[] {"bench/engines", "engines", "../bench/engines"}) {
      Path folder = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isRegularFile(folder.resolve("engine.wasm"))) {
        return folder;
      }
    }
    throw new IllegalStateException("no bench/engines folder under " + Path.of("").toAbsolutePath()
        + "; run from the repository (or bench/), or set -D" + ENGINES_PROPERTY + "=<folder>");
  }

  /** One listener: {@code filters} filters of {@code kind}, then {@code bench_reply}. */
  public static String yaml(int filters, String kind) {
    String filter = switch (kind) {
      case "noop" -> "{ name: bench_noop }";
      case "read" -> "{ name: bench_read, config: { key: x-user } }";
      case "write" -> "{ name: bench_write, config: { key: x-bench, value: '1' } }";
      case "lua" -> "{ name: lua, config: { source: \"" + LUA_SOURCE.replace("\n", "\\n") + "\" } }";
      case "wasm" -> wasm("engine.wasm", "abi: metaproxy");
      case "proxy-wasm" -> wasm("engine-proxy-wasm-c.wasm", "abi: proxy-wasm");
      case "proxy-wasm-as" -> wasm("engine-proxy-wasm.wasm", "abi: proxy-wasm, root_id: engine");
      case "proxy-wasm-arena" -> wasm("engine-proxy-wasm-arena.wasm", "abi: proxy-wasm");
      case "proxy-wasm-context-only" -> wasm("engine-proxy-wasm-context-only.wasm", "abi: proxy-wasm");
      default -> throw new IllegalArgumentException(
          "kind: noop, read, write, lua, wasm, proxy-wasm, proxy-wasm-as, proxy-wasm-arena or"
              + " proxy-wasm-context-only, not " + kind);
    };
    StringBuilder yaml = new StringBuilder()
        .append("listeners:\n")
        .append("  - name: ").append(HostFixture.LISTENER).append('\n')
        .append("    address: 127.0.0.1:0\n")
        .append("    protocol: dubbo\n")
        .append("    filters:\n");
    for (int i = 0; i < filters; i++) {
      yaml.append("      - ").append(filter).append('\n');
    }
    yaml.append("      - { name: bench_reply }\n")
        .append("      - { name: router }\n")
        .append("    route_config:\n")
        .append("      name: bench\n")
        .append("      routes:\n")
        .append("        - { name: all, match: {}, route: { cluster: echo } }\n")
        .append("clusters:\n")
        .append("  - name: echo\n")
        .append("    endpoints: [ 127.0.0.1:9 ]\n");
    return yaml.toString();
  }
}
