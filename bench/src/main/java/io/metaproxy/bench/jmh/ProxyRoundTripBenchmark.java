package io.metaproxy.bench.jmh;

import io.metaproxy.bench.echo.EchoServer;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.metaproxy.host.server.Proxy;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * One request's round trip through a whole metaproxy in this JVM: {@link Proxy#start} on one event loop, listening on
 * 127.0.0.1, routing to the bench's echo backend (one event loop); the benchmark thread is a blocking Dubbo client
 * on one connection, one request in flight: write the load generator's 1 KB request, read the whole response.
 *
 * <p>So an operation is two loopback round trips (client to proxy, proxy to backend) with every step of the real
 * message path: decode, {@code filters} filters of {@code kind} (the {@code bench_*} filters, or Lua; see {@link
 * FilterChainBenchmark}), route, upstream multiplexing, response matching, the response written back (re-encoded when
 * a filter set a key). It is dominated by the kernel and thread wake-ups, which is why the chain itself is measured in
 * {@link FilterChainBenchmark}; this one shows the whole and catches gross regressions, and with {@code -prof gc}
 * gives the bytes allocated per request (the proxy's, plus the backend's few; the client allocates nothing per
 * request). Run: {@code java -jar bench/target/metaproxy-bench.jar jmh ProxyRoundTripBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ProxyRoundTripBenchmark {
  @Param({"0", "3"})
  public int filters;

  @Param("noop")
  public String kind;

  @Param("1024")
  public int payload;

  private Path folder;
  private EchoServer backend;
  private Proxy proxy;
  private Socket socket;
  private OutputStream out;
  private DataInputStream in;
  private byte[] request;
  private final byte[] header = new byte[DubboProtocol.HEADER_LENGTH];
  private byte[] body = new byte[8192];
  private long nextId = 1;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BenchProtocol protocol = BenchProtocol.named("dubbo");
    backend = EchoServer.start(protocol, "127.0.0.1", 0, 1, payload);
    folder = Files.createTempDirectory("metaproxy-bench-proxy-");
    Files.createDirectory(folder.resolve("plugins"));
    Path config = folder.resolve("metaproxy.yaml");
    Files.writeString(config, yaml(filters, kind, backend.port()), StandardCharsets.UTF_8);
    proxy = Proxy.start(config, 1);
    InetSocketAddress address = proxy.listenerAddress("bench");
    socket = new Socket(address.getAddress(), address.getPort());
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    request = protocol.request(new RequestShape(RequestShape.DEFAULT_SERVICE, "1.0.0", "echo", payload,
        Map.of("x-bench-token", "bench", "x-user", "bench-user")));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (socket != null) {
      socket.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (folder != null) {
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** One request and its response; returns the response's body length. */
  @Benchmark
  public int roundTrip() throws IOException {
    return call();
  }

  /**
   * Sends one request and reads its response.
   *
   * @throws IllegalStateException when the response is not a successful answer to that request
   */
  public int call() throws IOException {
    long id = nextId++;
    ByteBuffer.wrap(request).putLong(4, id);
    out.write(request);
    in.readFully(header);
    ByteBuffer view = ByteBuffer.wrap(header);
    int status = header[3] & 0xff;
    long answered = view.getLong(4);
    int length = view.getInt(12);
    if (length > body.length) {
      body = new byte[length];
    }
    in.readFully(body, 0, length);
    if (answered != id || status != DubboProtocol.STATUS_OK) {
      throw new IllegalStateException("request " + id + " got status " + status + " for id " + answered + ": "
          + new String(body, 0, Math.min(length, 200), StandardCharsets.ISO_8859_1));
    }
    return length;
  }

  /** The proxy's configuration: one listener with {@code filters} filters of {@code kind}, one route, one cluster. */
  public static String yaml(int filters, String kind, int backendPort) {
    String filter = switch (kind) {
      case "noop" -> "{ name: bench_noop }";
      case "read" -> "{ name: bench_read, config: { key: x-user } }";
      case "write" -> "{ name: bench_write, config: { key: x-bench, value: '1' } }";
      case "lua" -> "{ name: lua, config: { source: \""
          + FilterChainBenchmark.LUA_SOURCE.replace("\n", "\\n") + "\" } }";
      default -> throw new IllegalArgumentException("kind: noop, read, write or lua, not " + kind);
    };
    StringBuilder yaml = new StringBuilder()
        .append("admin: { address: 127.0.0.1:0 }\n")
        .append("plugins: { dir: plugins }\n")
        .append("listeners:\n")
        .append("  - name: bench\n")
        .append("    address: 127.0.0.1:0\n")
        .append("    protocol: dubbo\n");
    if (filters > 0) {
      yaml.append("    filters:\n");
      for (int i = 0; i < filters; i++) {
        yaml.append("      - ").append(filter).append('\n');
      }
    }
    yaml.append("    route_config:\n")
        .append("      name: bench\n")
        .append("      routes:\n")
        .append("        - { name: all, match: {}, route: { cluster: echo } }\n")
        .append("clusters:\n")
        .append("  - name: echo\n")
        .append("    endpoints: [ 127.0.0.1:").append(backendPort).append(" ]\n");
    return yaml.toString();
  }

  /** For tests: the running proxy. */
  public Proxy proxy() {
    return proxy;
  }
}
