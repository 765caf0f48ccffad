package io.metaproxy.it.filters;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.demo.GreetingClient;
import io.metaproxy.it.FreePorts;
import io.metaproxy.it.ProxyProcess;
import io.metaproxy.it.SharedBackends;
import io.metaproxy.it.ShowProxyLogOnFailure;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hot reload of a script under continuous load: several Dubbo consumers, each on a connection of its own, call
 * back to back while the test rewrites a Lua script (v1 sets x-version=v1, v2 sets x-version=v2) and reloads, over
 * and over. Checked: no call fails; a call that starts after a reload completed and ends before the next one started
 * shows that reload's version, on every connection; no connection is dropped or re-made (the proxy's accepted
 * connection count stays the number of consumers); no ByteBuf leak, with the proxy's leak detector at paranoid.
 */
@ExtendWith({SharedBackends.class, ShowProxyLogOnFailure.class})
class ScriptReloadUnderLoadIT {
  private static final int CONSUMERS = 4;
  private static final int MIN_RELOADS = 20;
  private static final Duration MIN_LOAD = Duration.ofSeconds(30);
  /** Paces the reloads so that 30s hold about 20 of them, each with plenty of calls on every connection between. */
  private static final Duration RELOAD_PERIOD = Duration.ofMillis(1400);
  /** Calls that must complete on every connection after a reload before the next one may start. */
  private static final int CALLS_BETWEEN_RELOADS = 3;
  private static final String LISTENER = "dubbo-in";
  /** Generous: a GC pause of the loaded proxy must not fail a call; budgets are ScriptFiltersIT's subject. */
  private static final String BUDGET = "1s";

  private static int listenerPort;
  private static Path script;
  private static ProxyProcess proxy;
  private static final List<GreetingClient> CLIENTS = new ArrayList<>();

  /** One call as a consumer saw it: when it started and ended (System.nanoTime), the version or the failure. */
  private record Call(int consumer, long started, long ended, String version, Throwable failure) {}

  /** One reload: when the test sent POST /reload, when the answer came, and the version it installed. */
  private record Reload(long started, long completed, String version) {}

  private static String scriptVersion(String version) {
    return """
        -- reload test script, version %1$s
        function on_request(ctx)
          ctx:set("x-version", "%1$s")
        end
        """.formatted(version);
  }

  @BeforeAll
  static void startProxyAndConsumers() throws IOException {
    Path folder = Files.createTempDirectory(
        Files.createDirectories(Path.of("target", "it-runs").toAbsolutePath()), "ScriptReloadUnderLoadIT-scripts-");
    script = folder.resolve("version.lua");
    writeScript("v1");
    listenerPort = FreePorts.next();
    proxy = ProxyProcess.start("ScriptReloadUnderLoadIT",
        // this test is about leaks as much as reloads: paranoid whatever level the build runs with
        Map.of("JAVA_OPTS", "-Dio.netty.leakDetection.level=paranoid"),
        """
        listeners:
          - name: %s
            address: 127.0.0.1:%d
            protocol: dubbo
            filters:
              - name: lua
                config: { file: "%s", budget: %s }
            route_config:
              routes:
                - name: default
                  match: {}
                  route: { cluster: greet-v1 }
        """.formatted(LISTENER, listenerPort, script, BUDGET) + SharedBackends.clustersYaml());
    assertJvmOption(proxy, "-Dio.netty.leakDetection.level=paranoid");
    for (int i = 0; i < CONSUMERS; i++) {
      CLIENTS.add(GreetingClient.connect("127.0.0.1", listenerPort, Duration.ofSeconds(10)));
    }
  }

  @AfterAll
  static void stop() {
    try {
      CLIENTS.forEach(GreetingClient::close);
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  /** The proxy JVM's command line (Linux' /proc; elsewhere nothing is checked) has {@code option}. */
  private static void assertJvmOption(ProxyProcess proxy, String option) throws IOException {
    Path cmdline = Path.of("/proc", Long.toString(proxy.pid()), "cmdline");
    if (Files.isReadable(cmdline)) {
      List<String> arguments = List.of(Files.readString(cmdline, StandardCharsets.UTF_8).split("\0"));
      // bin/metaproxy sets its own default for the same property first; the JVM takes the last one given
      String property = option.substring(0, option.indexOf('=') + 1);
      assertThat(arguments.stream().filter(a -> a.startsWith(property)).reduce((first, last) -> last))
          .as("the last %s on the proxy's command line", property).contains(option);
    }
  }

  /** Rewrites the script atomically: the proxy never reads half a file. */
  private static void writeScript(String version) throws IOException {
    Path next = script.resolveSibling(script.getFileName() + ".next");
    Files.writeString(next, scriptVersion(version), StandardCharsets.UTF_8);
    Files.move(next, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void everyReloadTakesEffectOnEveryOpenConnectionWithoutFailingOrDroppingAny() throws Exception {
    // before the load: every connection is open, served by v1, and counted once
    for (GreetingClient client : CLIENTS) {
      assertThat(version(client)).isEqualTo("v1");
    }
    assertConnectionsUnchanged("before the load");

    List<List<Call>> calls = new ArrayList<>();
    List<AtomicInteger> completed = new ArrayList<>();
    for (int i = 0; i < CONSUMERS; i++) {
      calls.add(new ArrayList<>());
      completed.add(new AtomicInteger());
    }
    List<Reload> reloads = new ArrayList<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    long loadStarted = System.nanoTime();
    try (ExecutorService consumers = Executors.newFixedThreadPool(CONSUMERS)) {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < CONSUMERS; i++) {
        int consumer = i;
        running.add(consumers.submit(() -> callBackToBack(consumer, loading, calls.get(consumer),
            completed.get(consumer))));
      }
      try {
        String current = "v1";
        while (reloads.size() < MIN_RELOADS || System.nanoTime() - loadStarted < MIN_LOAD.toNanos()) {
          long cycleStarted = System.nanoTime();
          current = current.equals("v1") ? "v2" : "v1";
          writeScript(current);
          long started = System.nanoTime();
          HttpResponse<String> answer = proxy.adminPost("/reload");
          long done = System.nanoTime();
          int[] completedAtDone = completed.stream().mapToInt(AtomicInteger::get).toArray();
          assertThat(answer.statusCode()).as("POST /reload #%d: %s", reloads.size() + 1, answer.body()).isEqualTo(200);
          reloads.add(new Reload(started, done, current));

          // let every connection make calls on the new version (plus the one that may have been in flight at `done`)
          awaitCalls(completed, completedAtDone, CALLS_BETWEEN_RELOADS + 1, running);
          assertConnectionsUnchanged("after reload #" + reloads.size());
          long rest = RELOAD_PERIOD.toNanos() - (System.nanoTime() - cycleStarted);
          if (rest > 0) {
            Thread.sleep(Duration.ofNanos(rest));
          }
        }
      } finally {
        loading.set(false);
      }
      for (Future<?> consumer : running) {
        consumer.get();
      }
    }
    Duration loaded = Duration.ofNanos(System.nanoTime() - loadStarted);

    List<Call> all = calls.stream().flatMap(List::stream).toList();
    List<Call> failed = all.stream().filter(call -> call.failure() != null).toList();
    assertThat(failed).as("failed calls of %d (the first ones' failures)", all.size())
        .extracting(call -> call.consumer() + ": " + call.failure())
        .isEmpty();
    assertThat(loaded).isGreaterThanOrEqualTo(MIN_LOAD);
    assertThat(reloads).hasSizeGreaterThanOrEqualTo(MIN_RELOADS);
    assertVersionsFollowReloads(calls, reloads);
    assertConnectionsUnchanged("after the load");
    assertThat(scrape().value("metaproxy_config_reloads_total", Map.of("result", "success")))
        .as("successful reloads the proxy counted").isEqualTo(reloads.size());

    // leaks: collect the proxy's garbage, then allocate (calls) so that the detector reports what it found
    proxy.collectGarbage();
    Thread.sleep(500);
    for (GreetingClient client : CLIENTS) {
      for (int i = 0; i < 20; i++) {
        assertThat(version(client)).isEqualTo(reloads.getLast().version());
      }
    }
    // the log is live (a proxy without a logging binding would pass any "nothing in the log" check)
    assertThat(proxy.log().lines().filter(line -> line.contains(" reloaded ")))
        .as("reloads the proxy logged")
        .hasSizeGreaterThanOrEqualTo(reloads.size());
    proxy.assertNoLeaksReported();
    System.out.printf("%d calls on %d connections over %ds with %d reloads, none failed%n",
        all.size(), CONSUMERS, loaded.toSeconds(), reloads.size());
  }

  /** A consumer's loop: one call after another until told to stop, each recorded. */
  private static void callBackToBack(int consumer, AtomicBoolean loading, List<Call> calls, AtomicInteger completed) {
    GreetingClient client = CLIENTS.get(consumer);
    while (loading.get()) {
      long started = System.nanoTime();
      String version = null;
      Throwable failure = null;
      try {
        version = version(client);
      } catch (RuntimeException e) {
        failure = e;
      }
      calls.add(new Call(consumer, started, System.nanoTime(), version, failure));
      completed.incrementAndGet();
    }
  }

  private static String version(GreetingClient client) {
    return client.call(Map.of(), s -> s.sayHello("reload")).greeting().getAttachmentsSeen().get("x-version");
  }

  /** Waits until every consumer has completed {@code calls} more calls than {@code before}; fails after 20s. */
  private static void awaitCalls(List<AtomicInteger> completed, int[] before, int calls, List<Future<?>> consumers)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (int i = 0; i < completed.size(); i++) {
      while (completed.get(i).get() < before[i] + calls) {
        assertThat(consumers.get(i)).as("consumer %d still calling", i).isNotDone();
        assertThat(System.nanoTime()).as("consumer %d made %d calls in 20s after a reload", i,
            completed.get(i).get() - before[i]).isLessThan(deadline);
        Thread.sleep(5);
      }
    }
  }

  /**
   * Every call that started after reload k completed and ended before reload k+1 started shows reload k's version
   * (before the first reload: v1), and each connection made at least {@value #CALLS_BETWEEN_RELOADS} such calls. A
   * call that overlaps a reload may show either version, but no other.
   */
  private static void assertVersionsFollowReloads(List<List<Call>> calls, List<Reload> reloads) {
    for (int consumer = 0; consumer < calls.size(); consumer++) {
      for (int k = 0; k < reloads.size(); k++) {
        Reload reload = reloads.get(k);
        long windowEnd = k + 1 < reloads.size() ? reloads.get(k + 1).started() : Long.MAX_VALUE;
        String previous = k == 0 ? "v1" : reloads.get(k - 1).version();
        int inWindow = 0;
        for (Call call : calls.get(consumer)) {
          if (call.started() > reload.completed() && call.ended() < windowEnd) {
            assertThat(call.version())
                .as("consumer %d, a call %.1f ms after reload #%d (to %s) completed", consumer,
                    (call.started() - reload.completed()) / 1e6, k + 1, reload.version())
                .isEqualTo(reload.version());
            inWindow++;
          } else if (call.started() <= reload.completed() && call.ended() >= reload.started()) {
            assertThat(call.version()).as("consumer %d, a call during reload #%d", consumer, k + 1)
                .isIn(previous, reload.version());
          }
        }
        assertThat(inWindow).as("consumer %d: calls between reload #%d and the next", consumer, k + 1)
            .isGreaterThanOrEqualTo(CALLS_BETWEEN_RELOADS);
      }
      long firstReload = reloads.getFirst().started();
      assertThat(calls.get(consumer)).filteredOn(call -> call.ended() < firstReload)
          .allSatisfy(call -> assertThat(call.version()).isEqualTo("v1"));
    }
  }

  /** No connection was dropped or re-made: the listener accepted exactly one per consumer, all still open. */
  private static void assertConnectionsUnchanged(String when) throws IOException, InterruptedException {
    PrometheusScrape stats = scrape();
    Map<String, String> listener = Map.of("listener", LISTENER);
    assertThat(stats.value("metaproxy_downstream_connections_total", listener))
        .as("connections accepted, %s\n%s", when, stats.linesOf("metaproxy_downstream_connections"))
        .isEqualTo(CONSUMERS);
    assertThat(stats.value("metaproxy_downstream_connections_active", listener))
        .as("connections open, %s\n%s", when, stats.linesOf("metaproxy_downstream_connections"))
        .isEqualTo(CONSUMERS);
  }

  private static PrometheusScrape scrape() throws IOException, InterruptedException {
    HttpResponse<String> answer = proxy.admin("/stats/prometheus");
    assertThat(answer.statusCode()).as("GET /stats/prometheus: %s", answer.body()).isEqualTo(200);
    return PrometheusScrape.parse(answer.body());
  }
}
