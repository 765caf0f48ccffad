package io.metaproxy.it.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.metaproxy.demo.Greeting;
import io.metaproxy.demo.GreetingClient;
import io.metaproxy.demo.GreetingClient.Reply;
import io.metaproxy.demo.GreetingService;
import io.metaproxy.it.Dist;
import io.metaproxy.it.FreePorts;
import io.metaproxy.it.ProxyProcess;
import io.metaproxy.it.SharedBackends;
import io.metaproxy.it.ShowProxyLogOnFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.dubbo.rpc.RpcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sample filters of {@code dist/filters/} in every script language the distribution has, and the {@code
 * header_auth} Java plugin, inside the proxy process between a real Dubbo consumer and the greet-v1/greet-v2
 * providers: what each sample promises (sample-filters/README.md) is checked where users would see it, at the
 * provider and at the consumer.
 *
 * <p>One proxy serves the script tests, with one listener per (language, sample) whose only filter is that sample
 * and whose one route sends everything to greet-v1; each listener is reached only by the test about it, through a
 * consumer (a connection) of its own. A language whose engine is not in {@code dist/lib} is skipped with the reason.
 * {@code header_auth} gets a proxy of its own, so that a broken plugin fails its test and no other.
 */
@ExtendWith({SharedBackends.class, ShowProxyLogOnFailure.class})
class ScriptFiltersIT {
  /** Long on purpose: errors the proxy answers must arrive well before it. */
  private static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(10);
  /** How soon an error reply must arrive: a behaviour bound (answered, not timed out), not a performance figure. */
  private static final Duration ERROR_REPLY_BOUND = Duration.ofSeconds(3);
  /**
   * The samples' budget. They are not about budgets, and the default 10ms does not hold on a loaded machine: a JS
   * Context's first calls (a first regex, say) and a first WASM call took 10ms to 2s of wall-clock time with ~8 builds
   * sharing 2 cores, which would fail calls for a reason that is not the sample's. The runaway test is the one about
   * budgets.
   */
  private static final String SAMPLE_BUDGET = "5s";
  /** The runaway script's budget: short, so its calls fail fast; long enough to see other calls go on meanwhile. */
  private static final String RUNAWAY_BUDGET = "100ms";

  private static final List<String> SAMPLES = List.of("add_headers", "canary", "token_auth", "method_counter");
  private static final String RUNAWAY = "runaway";
  private static final String RETURNS = "returns";

  private static final Map<String, Integer> LISTENER_PORTS = new LinkedHashMap<>();
  private static final Map<String, GreetingClient> CLIENTS = new ConcurrentHashMap<>();
  private static ProxyProcess proxy;
  private static ProxyProcess pluginProxy;
  /** The header_auth proxy, starting alongside the main one; null when the plugin is not built. */
  private static CompletableFuture<ProxyProcess> pluginProxyStart;
  private static int pluginPort;
  private static final String PLUGIN_MISSING =
      "dist/plugins/metaproxy-filter-example-*.jar has no filter classes yet (plugins/filter-example not built)";

  @BeforeAll
  static void startProxy() throws IOException {
    if (pluginHasClasses("metaproxy-filter-example-", "io/metaproxy/filter/example/")) {
      pluginPort = FreePorts.next();
      String yaml = """
          listeners:
            - name: java-header_auth
              address: 127.0.0.1:%d
              protocol: dubbo
              filters:
                - name: header_auth
                  config: { header: x-token, tokens: [ "alice:s3cr3t-a", "t0k3n-b" ] }
              route_config:
                routes:
                  - name: default
                    match: {}
                    route: { cluster: greet-v1 }
          """.formatted(pluginPort) + SharedBackends.clustersYaml();
      // started alongside the main proxy: both spend most of their start-up waiting for their JVMs
      pluginProxyStart = CompletableFuture.supplyAsync(() -> ProxyProcess.start("ScriptFiltersIT-header_auth", yaml));
    }
    Path scripts = Files.createTempDirectory(
        Files.createDirectories(Path.of("target", "it-runs").toAbsolutePath()), "ScriptFiltersIT-scripts-");
    StringBuilder listeners = new StringBuilder("listeners:\n");
    for (ScriptLanguage language : ScriptLanguage.values()) {
      if (!language.inDistribution()) {
        continue;
      }
      for (String sample : SAMPLES) {
        Path file = language.sample(sample);
        assertThat(file).as("the %s sample %s in the distribution", language, sample).isRegularFile();
        listeners.append(listener(language, sample, file, SAMPLE_BUDGET));
      }
      listeners.append(listener(language, RUNAWAY, writeRunaway(scripts, language), RUNAWAY_BUDGET));
      if (language != ScriptLanguage.WASM) {
        listeners.append(listener(language, RETURNS, writeReturns(scripts, language), SAMPLE_BUDGET));
      }
    }
    proxy = ProxyProcess.start("ScriptFiltersIT", listeners + SharedBackends.clustersYaml());
  }

  /** A listener named {@code <language>-<name>} whose chain is the one script, routing everything to greet-v1. */
  private static String listener(ScriptLanguage language, String name, Path script, String budget) {
    String listenerName = language.filterName() + "-" + name;
    int port = FreePorts.next();
    LISTENER_PORTS.put(listenerName, port);
    return """
          - name: %s
            address: 127.0.0.1:%d
            protocol: dubbo
            filters:
              - name: %s
                config: { file: "%s", budget: %s }
            route_config:
              routes:
                - name: default
                  match: {}
                  route: { cluster: greet-v1 }
        """.formatted(listenerName, port, language.filterName(), script, budget);
  }

  /** A script that loops forever on sayGoodbye and lets every other call through. */
  private static Path writeRunaway(Path folder, ScriptLanguage language) throws IOException {
    return switch (language) {
      case LUA -> Files.writeString(folder.resolve("runaway.lua"), """
          function on_request(ctx)
            if ctx:get("method") == "sayGoodbye" then
              while true do end
            end
          end
          """, StandardCharsets.UTF_8);
      case JS -> Files.writeString(folder.resolve("runaway.mjs"), """
          export function onRequest(ctx) {
            if (ctx.get("method") === "sayGoodbye") {
              for (;;) {}
            }
          }
          """, StandardCharsets.UTF_8);
      case WASM -> Files.write(folder.resolve("runaway.wasm"), RunawayWasm.module());
    };
  }

  /** A script that sets x-returned=yes and returns a value (a string) without replying. */
  private static Path writeReturns(Path folder, ScriptLanguage language) throws IOException {
    return switch (language) {
      case LUA -> Files.writeString(folder.resolve("returns.lua"), """
          function on_request(ctx)
            ctx:set("x-returned", "yes")
            return "done"
          end
          """, StandardCharsets.UTF_8);
      case JS -> Files.writeString(folder.resolve("returns.mjs"), """
          export function onRequest(ctx) {
            ctx.set("x-returned", "yes");
            return "done";
          }
          """, StandardCharsets.UTF_8);
      case WASM -> throw new IllegalArgumentException("a WASM handler's result is its status");
    };
  }

  @AfterAll
  static void stop() {
    try {
      // in parallel: closing a Dubbo consumer waits for its shutdown steps, a second or so each
      CLIENTS.values().parallelStream().forEach(GreetingClient::close);
      for (ProxyProcess running : new ProxyProcess[] {proxy, pluginProxy}) {
        if (running != null) {
          running.assertNoLeaksReported();
        }
      }
    } finally {
      if (pluginProxyStart != null && pluginProxy == null) {
        // the plugin test did not run (filtered out): wait for the start anyway, so the process is not left behind
        pluginProxy = pluginProxyStart.exceptionally(failed -> null).join();
      }
      for (ProxyProcess running : new ProxyProcess[] {proxy, pluginProxy}) {
        if (running != null) {
          running.close();
        }
      }
    }
  }

  /** add_headers: the provider sees what the script added to the request; the consumer what it added to the reply. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ScriptLanguage.class)
  void headerInjection(ScriptLanguage language) {
    GreetingClient client = client(language, "add_headers");
    long before = System.currentTimeMillis();
    Reply reply = client.call(Map.of(), s -> s.sayHello("hana"));
    long after = System.currentTimeMillis();

    assertThat(reply.greeting().getServedBy()).isEqualTo("greet-v1");
    Map<String, String> seen = reply.greeting().getAttachmentsSeen();
    assertThat(seen).containsEntry("x-proxied-by", "metaproxy").containsKey("x-request-start");
    // the proxy's clock, as text: same machine, so it lies within the call (a second of slack for rounding)
    assertThat(Long.parseLong(seen.get("x-request-start"))).isBetween(before - 1000, after + 1000);
    // on the way back: the cluster that answered
    assertThat(reply.attachments()).containsEntry("x-upstream-cluster", "greet-v1");
    assertNoScriptFailures(language.filterName() + "-add_headers");
  }

  /** canary: x-canary=true, or a user-id in the canary share, moves the call to greet-v2; everything else stays. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ScriptLanguage.class)
  void canaryRouting(ScriptLanguage language) {
    GreetingClient client = client(language, "canary");

    Reply forced = client.call(Map.of("x-canary", "true"), s -> s.sayHello("ivan"));
    assertThat(forced.greeting().getServedBy()).isEqualTo("greet-v2");
    assertThat(forced.attachments()).containsEntry("x-canary-served-by", "greet-v2");

    Reply plain = client.call(Map.of(), s -> s.sayHello("ivan"));
    assertThat(plain.greeting().getServedBy()).isEqualTo("greet-v1");
    assertThat(plain.attachments()).doesNotContainKey("x-canary-served-by");
    assertThat(client.call(Map.of("x-canary", "false"), s -> s.sayHello("ivan")).greeting().getServedBy())
        .isEqualTo("greet-v1");

    // by user-id: the share is a stable hash, so the same user always lands on the same side
    String canaryUser = userInBucket(true);
    String stableUser = userInBucket(false);
    for (int i = 0; i < 3; i++) {
      assertThat(client.call(Map.of("user-id", canaryUser), s -> s.sayGoodbye("judy")).greeting().getServedBy())
          .as("user-id %s (bucket %d)", canaryUser, bucket(canaryUser)).isEqualTo("greet-v2");
      assertThat(client.call(Map.of("user-id", stableUser), s -> s.sayGoodbye("judy")).greeting().getServedBy())
          .as("user-id %s (bucket %d)", stableUser, bucket(stableUser)).isEqualTo("greet-v1");
    }
    assertNoScriptFailures(language.filterName() + "-canary");
  }

  /** token_auth: no token or an unknown one is refused by the proxy as unauthorized; a known one passes as its user. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ScriptLanguage.class)
  void tokenCheck(ScriptLanguage language) {
    GreetingClient client = client(language, "token_auth");

    assertThat(cause(timedFailure(client, Map.of()))).contains("unauthorized").contains("missing token");
    assertThat(cause(timedFailure(client, Map.of("token", "s3cr3t-mallory"))))
        .contains("unauthorized").contains("bad token");

    Reply alice = client.call(Map.of("token", "s3cr3t-alice"), s -> s.sayHello("alice"));
    assertThat(alice.greeting().getServedBy()).isEqualTo("greet-v1");
    assertThat(alice.greeting().getAttachmentsSeen()).containsEntry("x-user", "alice");
    Reply bob = client.call(Map.of("token", "s3cr3t-bob"), s -> s.sayGoodbye("bob"));
    assertThat(bob.greeting().getAttachmentsSeen()).containsEntry("x-user", "bob");

    // the connection survived the refusals: a refused call is a reply, not a reset
    assertThat(cause(timedFailure(client, Map.of("token", "")))).contains("unauthorized");
    assertThat(client.call(Map.of("token", "s3cr3t-alice"), s -> s.sayHello("alice")).greeting().getServedBy())
        .isEqualTo("greet-v1");
    assertNoScriptFailures(language.filterName() + "-token_auth");
  }

  /** method_counter: N calls of a method show as N on metaproxy_filter_counter_total for that listener and method. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ScriptLanguage.class)
  void perMethodCounter(ScriptLanguage language) throws Exception {
    GreetingClient client = client(language, "method_counter");
    String listener = language.filterName() + "-method_counter";
    PrometheusScrape before = scrape(proxy);

    int hellos = 7;
    int goodbyes = 3;
    for (int i = 0; i < hellos; i++) {
      client.call(Map.of(), s -> s.sayHello("kim"));
    }
    for (int i = 0; i < goodbyes; i++) {
      client.call(Map.of(), s -> s.sayGoodbye("kim"));
    }

    PrometheusScrape after = scrape(proxy);
    String counter = "metaproxy_filter_counter_total";
    assertThat(counterDelta(before, after, listener, "method_calls_sayHello"))
        .as("%s\n%s", counter, after.linesOf(counter)).isEqualTo(hellos);
    assertThat(counterDelta(before, after, listener, "method_calls_sayGoodbye"))
        .as("%s\n%s", counter, after.linesOf(counter)).isEqualTo(goodbyes);
    assertThat(counterDelta(before, after, listener, "method_calls_greet")).isZero();
    assertNoScriptFailures(language.filterName() + "-method_counter");
  }

  /**
   * A script that never returns is stopped by its budget: that call gets a script_error reply soon, while calls on
   * the same connection and on another one, made meanwhile, are served as usual.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ScriptLanguage.class)
  void runawayScriptFailsOnlyItsOwnCalls(ScriptLanguage language) throws Exception {
    GreetingClient client = client(language, RUNAWAY);
    GreetingClient bystander = client(language, RUNAWAY + "#2");
    assertThat(client.call(Map.of(), s -> s.sayHello("lee")).greeting().getServedBy()).isEqualTo("greet-v1");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    List<Throwable> bystanderFailures = new ArrayList<>();
    int runawayCalls = 6;
    try (ExecutorService threads = Executors.newFixedThreadPool(3 + 3)) {
      // meanwhile: back-to-back calls on the runaway's own connection and on another one
      List<Future<?>> background = new ArrayList<>();
      for (GreetingClient steady : List.of(client, bystander, bystander)) {
        background.add(threads.submit(() -> {
          while (running.get()) {
            try {
              assertThat(steady.call(Map.of(), s -> s.sayHello("lee")).greeting().getServedBy())
                  .isEqualTo("greet-v1");
              served.incrementAndGet();
            } catch (RuntimeException | AssertionError e) {
              synchronized (bystanderFailures) {
                bystanderFailures.add(e);
              }
            }
          }
        }));
      }
      int servedBefore = served.get();
      List<Future<RpcException>> runaways = new ArrayList<>();
      for (int i = 0; i < runawayCalls; i++) {
        runaways.add(threads.submit(() -> timedFailure(client, Map.of(), s -> s.sayGoodbye("lee"))));
        if (i % 2 == 1) {
          Thread.sleep(50); // in pairs, spread a little, so they overlap the steady calls rather than each other
        }
      }
      for (Future<RpcException> runaway : runaways) {
        assertThat(cause(runaway.get()))
            .contains("script_error")
            .contains("runaway." + language.extension()) // the script's name, as the engine reports it
            .contains("exceeded its budget of " + RUNAWAY_BUDGET);
      }
      int servedWhileRunaway = served.get();
      running.set(false);
      for (Future<?> steady : background) {
        steady.get();
      }
      assertThat(bystanderFailures).as("calls made while the runaway script ran").isEmpty();
      assertThat(servedWhileRunaway).as("calls served while the runaway script ran").isGreaterThan(servedBefore);
    }
    // the engine logs each stopped call (which also shows that assertNoScriptFailures reads a live log)
    assertThat(proxy.log().lines()
            .filter(line -> line.contains("[" + language.filterName() + "-" + RUNAWAY + "]"))
            .filter(line -> line.contains("script failed") && line.contains("exceeded its budget")))
        .hasSizeGreaterThanOrEqualTo(runawayCalls);
    // and afterwards, the event loops and the script's VM are as good as new
    assertThat(client.call(Map.of(), s -> s.sayHello("lee")).greeting().getServedBy()).isEqualTo("greet-v1");
    assertThat(proxy.isAlive()).isTrue();
  }

  /**
   * The Java filter plugin header_auth (plugins/filter-example): a request needs an accepted token in x-token, which
   * is stripped before the provider, and reaches it with the token's label as x-auth-user (never the client's own).
   */
  @Test
  void javaPluginHeaderAuth() {
    assumeTrue(pluginProxyStart != null, PLUGIN_MISSING);
    pluginProxy = pluginProxyStart.join(); // a failed start fails this test only
    int port = pluginPort;
    GreetingClient client = CLIENTS.computeIfAbsent("java-header_auth",
        key -> GreetingClient.connect("127.0.0.1", port, CONSUMER_TIMEOUT));

    assertThat(cause(timedFailure(client, Map.of()))).contains("unauthorized").contains("x-token");
    String refused = cause(timedFailure(client, Map.of("x-token", "s3cr3t-b")));
    assertThat(refused).contains("unauthorized").doesNotContain("s3cr3t-b"); // replies never echo a token

    // a forged x-auth-user is replaced by the token's label; the token itself does not reach the provider
    Reply alice = client.call(Map.of("x-token", "s3cr3t-a", "x-auth-user", "mallory"), s -> s.sayHello("alice"));
    assertThat(alice.greeting().getServedBy()).isEqualTo("greet-v1");
    assertThat(alice.greeting().getAttachmentsSeen())
        .containsEntry("x-auth-user", "alice")
        .doesNotContainKey("x-token");
    Reply unlabelled = client.call(Map.of("x-token", "t0k3n-b"), s -> s.sayHello("b"));
    // an unlabelled token's user is "ok"
    assertThat(unlabelled.greeting().getAttachmentsSeen())
        .containsEntry("x-auth-user", "ok")
        .doesNotContainKey("x-token");
  }

  /**
   * What a handler returns is ignored (README: "reply ... the chain ends when the script returns, whatever it
   * returns"): a handler that returns a value without replying lets the request through, it does not fail it.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = ScriptLanguage.class, names = {"LUA", "JS"}) // a WASM handler's i32 result is its status
  void handlerReturnValueIsIgnored(ScriptLanguage language) {
    GreetingClient client = client(language, RETURNS);
    Reply reply = client.call(Map.of(), s -> s.sayHello("mo"));
    assertThat(reply.greeting().getServedBy()).isEqualTo("greet-v1");
    assertThat(reply.greeting().getAttachmentsSeen()).containsEntry("x-returned", "yes");
    assertNoScriptFailures(language.filterName() + "-" + RETURNS);
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  /**
   * The proxy logged no script failure for {@code listener}: a sample that works must not fail on the side (the
   * engine logs "script failed" at warn for every failed call, replied or not).
   */
  private static void assertNoScriptFailures(String listener) {
    List<String> failures = proxy.log().lines()
        .filter(line -> line.contains("[" + listener + "]") && line.contains("script failed"))
        .toList();
    assertThat(failures).as("script failures the proxy logged for listener %s", listener).isEmpty();
  }

  /**
   * The consumer of listener {@code <language>-<name>} (one connection each, made on first use and kept for the
   * class); {@code <name>#2} is a second consumer of the same listener. Skips the test when the language's engine
   * is not in the distribution.
   */
  private static GreetingClient client(ScriptLanguage language, String name) {
    assumeTrue(language.inDistribution(), language.missingReason());
    String listener = language.filterName() + "-" + name.replaceFirst("#.*$", "");
    Integer port = LISTENER_PORTS.get(listener);
    assertThat(port).as("listener %s configured (the engine appeared after the proxy started?)", listener).isNotNull();
    return CLIENTS.computeIfAbsent(language.filterName() + "-" + name,
        key -> GreetingClient.connect("127.0.0.1", port, CONSUMER_TIMEOUT));
  }

  private static RpcException timedFailure(GreetingClient client, Map<String, String> attachments) {
    return timedFailure(client, attachments, s -> s.sayHello("nobody"));
  }

  /** Makes a call that must fail, and checks it failed with an RpcException well before the consumer's timeout. */
  private static RpcException timedFailure(
      GreetingClient client, Map<String, String> attachments,
      Function<GreetingService, Greeting> call) {
    long started = System.nanoTime();
    RpcException failure = catchThrowableOfType(RpcException.class, () -> client.call(attachments, call));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(failure).as("the call must fail with an RpcException").isNotNull();
    assertThat(failure.isTimeout()).as("answered by the proxy, not timed out: %s", failure.getMessage()).isFalse();
    assertThat(took).as("time to the error reply (%s)", failure.getMessage()).isLessThan(ERROR_REPLY_BOUND);
    return failure;
  }

  /**
   * The reason part of Dubbo's message ("Failed to invoke remote method: ..., provider: dubbo://..., cause: WHY"),
   * so that assertions do not match words in the provider URL.
   */
  private static String cause(RpcException failure) {
    String message = String.valueOf(failure.getMessage());
    int cause = message.lastIndexOf("cause: ");
    return cause < 0 ? message : message.substring(cause + "cause: ".length());
  }

  private static PrometheusScrape scrape(ProxyProcess proxy) throws IOException, InterruptedException {
    var answer = proxy.admin("/stats/prometheus");
    assertThat(answer.statusCode()).as("GET /stats/prometheus: %s", answer.body()).isEqualTo(200);
    return PrometheusScrape.parse(answer.body());
  }

  private static long counterDelta(PrometheusScrape before, PrometheusScrape after, String listener, String metric) {
    Map<String, String> labels = Map.of("listener", listener, "metric", metric);
    return Math.round(after.value("metaproxy_filter_counter_total", labels)
        - before.value("metaproxy_filter_counter_total", labels));
  }

  /** The canary samples' bucket: a hash of the UTF-8 bytes, 0..99; below 10 is the canary share. */
  private static int bucket(String text) {
    long hash = 0;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash = (hash * 31 + (b & 0xff)) % 1000003;
    }
    return (int) (hash % 100);
  }

  private static String userInBucket(boolean canary) {
    for (int i = 0; ; i++) {
      String user = "user-" + i;
      if ((bucket(user) < 10) == canary) {
        return user;
      }
    }
  }

  /** Whether a jar of {@code dist/plugins} whose name starts with {@code prefix} has classes under {@code pkg}. */
  private static boolean pluginHasClasses(String prefix, String pkg) {
    try (Stream<Path> jars = Files.list(Dist.plugins())) {
      for (Path jar : jars.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        try (JarFile file = new JarFile(jar.toFile())) {
          if (file.stream().anyMatch(e -> e.getName().startsWith(pkg) && e.getName().endsWith(".class"))) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
