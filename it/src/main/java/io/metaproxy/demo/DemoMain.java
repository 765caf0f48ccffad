package io.metaproxy.demo;

import io.metaproxy.demo.Backends.Backend;
import io.metaproxy.demo.GreetingClient.Reply;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client half of {@code bin/metaproxy demo}: starts two sample backends, sends a couple dozen Dubbo calls
 * through the proxy and prints where each went and what the proxy added on the way.
 *
 * <pre>
 *   java -cp "dist/demo/lib/*" io.metaproxy.demo.DemoMain --proxy 127.0.0.1:20880 \
 *       [--admin 127.0.0.1:9901] [--calls 24] [--backend-ports 20881,20882]
 * </pre>
 *
 * <p>The backends are greet-v1 on 127.0.0.1:20881 and greet-v2 on 127.0.0.1:20882, the clusters of the default
 * {@code conf/metaproxy.yaml} ({@code --backend-ports} moves them). With {@code --admin}, the proxy's own counts for
 * the two clusters are printed at the end. Each call carries an {@code x-request-id} that the backend echoes back,
 * so a response delivered to the wrong call counts as a failure.
 *
 * <p>Exit status: 0 when every call succeeded, 1 when one failed, 2 for bad arguments or when the proxy or a
 * backend cannot be reached at all.
 */
public final class DemoMain {
  private static final String HOST = "127.0.0.1";
  private static final List<String> BACKEND_NAMES = List.of("greet-v1", "greet-v2");
  private static final Duration PROXY_WAIT = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  /**
   * One kind of call the demo makes; the calls cycle through these. {@code group} is how the summary counts them:
   * by what the routes of the default config look at (method, x-canary), not by argument.
   */
  private record CallKind(
      String label, String group, Map<String, String> attachments, Function<GreetingService, Greeting> call) {}

  private static final List<CallKind> CALL_KINDS =
      List.of(
          new CallKind("sayHello(\"alice\")", "sayHello", Map.of(), s -> s.sayHello("alice")),
          new CallKind("greet(Person(\"chloé\", fr))", "greet(Person)", Map.of(),
              s -> s.greet(new Person("chloé", "fr"))),
          new CallKind("sayHello(\"bob\") +x-canary", "sayHello +x-canary", Map.of("x-canary", "true"),
              s -> s.sayHello("bob")),
          new CallKind("sayHello(\"dana\")", "sayHello", Map.of(), s -> s.sayHello("dana")),
          new CallKind("sayGoodbye(\"erin\")", "sayGoodbye", Map.of(), s -> s.sayGoodbye("erin")),
          new CallKind("sayHello(\"frank\")", "sayHello", Map.of(), s -> s.sayHello("frank")));

  private static final String USAGE =
      "usage: DemoMain [--proxy host:port] [--admin host:port] [--calls n] [--backend-ports 20881,20882]";

  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the demo, printing to {@code out}; returns the exit status. */
  static int run(String[] args, PrintStream out) {
    InetSocketAddress proxy = new InetSocketAddress(HOST, 20880);
    InetSocketAddress admin = null;
    List<Backend> backendList = List.of(new Backend("greet-v1", 20881), new Backend("greet-v2", 20882));
    int calls = 24;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          out.println(USAGE);
          return 0;
        }
        if (i + 1 == args.length) {
          throw new IllegalArgumentException("unknown argument or missing value: '" + arg + "'");
        }
        switch (arg) {
          case "--proxy" -> proxy = parseAddress(args[++i]);
          case "--admin" -> admin = parseAddress(args[++i]);
          case "--calls" -> calls = Integer.parseInt(args[++i]);
          case "--backend-ports" -> backendList = parseBackendPorts(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("DemoMain: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }

    out.printf(
        "metaproxy demo: a Dubbo consumer calls GreetingService through the proxy at %s:%d;%n"
            + "the proxy routes each call to %s (see conf/metaproxy.yaml for the routes).%n%n",
        proxy.getHostString(),
        proxy.getPort(),
        backendList.stream().map(b -> b.name() + " on " + HOST + ":" + b.port()).collect(Collectors.joining(" or ")));

    Backends backends;
    try {
      backends = Backends.start(HOST, backendList);
    } catch (IllegalStateException e) {
      System.err.println("DemoMain: " + e.getMessage());
      return 2;
    }
    try {
      if (!waitForPort(proxy, PROXY_WAIT)) {
        System.err.printf("DemoMain: nothing accepts connections on %s:%d after %ds; is the proxy running?%n",
            proxy.getHostString(), proxy.getPort(), PROXY_WAIT.toSeconds());
        return 2;
      }
      int status;
      try (GreetingClient client = GreetingClient.connect(proxy.getHostString(), proxy.getPort(), CALL_TIMEOUT)) {
        status = makeCalls(client, calls, out);
      }
      if (admin != null) {
        printProxyStats(admin, out);
      }
      return status;
    } finally {
      backends.close();
    }
  }

  private static int makeCalls(GreetingClient client, int calls, PrintStream out) {
    String row = "%3s  %-30s  %-9s  %-36s  %s%n";
    out.printf(row, "#", "call", "served by", "provider saw (request attachments)",
        "consumer got (response attachments)");
    out.printf(row, "---", "-".repeat(30), "-".repeat(9), "-".repeat(36), "-".repeat(36));

    // call group -> backend -> count, in the order groups were first used
    Map<String, Map<String, Integer>> split = new LinkedHashMap<>();
    int failures = 0;
    for (int n = 1; n <= calls; n++) {
      CallKind kind = CALL_KINDS.get((n - 1) % CALL_KINDS.size());
      String requestId = "demo-" + n;
      Map<String, String> attachments = new LinkedHashMap<>(kind.attachments());
      attachments.put(GreetingServiceImpl.REQUEST_ID, requestId);
      String servedBy;
      try {
        Reply reply = client.call(attachments, kind.call());
        servedBy = reply.greeting().getServedBy();
        String echoed = reply.attachments().get(GreetingServiceImpl.REQUEST_ID);
        out.printf(row, n, kind.label(), servedBy, shown(reply.greeting().getAttachmentsSeen()),
            shown(reply.attachments()));
        if (!requestId.equals(echoed)) {
          failures++;
          out.printf("%3s  FAILED: sent %s=%s but the response carried %s%n", "", GreetingServiceImpl.REQUEST_ID,
              requestId, echoed);
        }
      } catch (RuntimeException e) {
        failures++;
        servedBy = "(failed)";
        out.printf(row, n, kind.label(), servedBy, "", "");
        out.printf("%3s  FAILED: %s%n", "", reason(e));
      }
      split.computeIfAbsent(kind.group(), k -> new TreeMap<>()).merge(servedBy, 1, Integer::sum);
    }

    out.printf("%nsummary: %d calls, %d failed%n", calls, failures);
    Map<String, Integer> perBackend = new TreeMap<>();
    split.values().forEach(counts -> counts.forEach((backend, n) -> perBackend.merge(backend, n, Integer::sum)));
    out.printf("  %-25s %s%n", "all calls:", describe(perBackend, calls));
    split.forEach((group, counts) -> out.printf("  %-25s %s%n", group + ":", describe(counts, total(counts))));
    return failures == 0 ? 0 : 1;
  }

  /**
   * Prints what the proxy itself counted for the demo's clusters, from its admin API; says nothing when the stats
   * cannot be fetched (the calls above are what the demo is about).
   */
  private static void printProxyStats(InetSocketAddress admin, PrintStream out) {
    String url = "http://" + admin.getHostString() + ":" + admin.getPort();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url + "/stats/prometheus")).timeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      List<String> lines = response.body().lines()
          .filter(line -> !line.startsWith("#") && BACKEND_NAMES.stream().anyMatch(line::contains))
          .filter(line -> !line.contains("_bucket{") && !line.contains("_created{")) // histograms: too long to read
          .limit(16)
          .toList();
      if (response.statusCode() == 200 && !lines.isEmpty()) {
        out.printf("%nthe proxy's own counts (%s/stats/prometheus):%n", url);
        lines.forEach(line -> out.println("  " + line));
      }
    } catch (IOException e) {
      // no stats: fine
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The {@code x-} attachments other than the request id (which every call carries) as {@code k=v, k=v}. */
  private static String shown(Map<String, String> attachments) {
    return new TreeMap<>(attachments)
        .entrySet().stream()
            .filter(e -> e.getKey().startsWith("x-") && !e.getKey().equals(GreetingServiceImpl.REQUEST_ID))
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static String describe(Map<String, Integer> counts, int total) {
    return counts.entrySet().stream()
        .map(e -> String.format(
            "%s %d/%d (%d%%)", e.getKey(), e.getValue(), total, Math.round(100.0 * e.getValue() / total)))
        .collect(Collectors.joining(", "));
  }

  private static int total(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Why a call failed, for people: the part of Dubbo's long message after its last "cause: " (the proxy's error
   * reply, say), else its first line.
   */
  private static String reason(RuntimeException e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getName();
    }
    int cause = message.lastIndexOf("cause: ");
    String reason = cause < 0 ? message : message.substring(cause + "cause: ".length());
    int newline = reason.indexOf('\n');
    return newline < 0 ? reason : reason.substring(0, newline);
  }

  /** {@code 20881,20882}: the ports of greet-v1 and greet-v2. */
  private static List<Backend> parseBackendPorts(String ports) {
    String[] parts = ports.split(",");
    if (parts.length != BACKEND_NAMES.size()) {
      throw new IllegalArgumentException(
          "--backend-ports takes " + BACKEND_NAMES.size() + " ports, e.g. 20881,20882");
    }
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      backends.add(new Backend(BACKEND_NAMES.get(i), Integer.parseInt(parts[i].trim())));
    }
    return backends;
  }

  private static InetSocketAddress parseAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** Polls until something accepts a TCP connection on {@code address}; the proxy may still be starting. */
  static boolean waitForPort(InetSocketAddress address, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(address, 500);
        return true;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }
}
