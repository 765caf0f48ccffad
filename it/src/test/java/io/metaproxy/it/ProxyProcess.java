package io.metaproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The distribution's proxy as a process: {@code bin/metaproxy run --config <file>} on a config written to a folder
 * of its own under {@code target/it-runs/}, with stdout and stderr in {@code proxy.log} beside it (kept for
 * post-mortems; {@link ShowProxyLogOnFailure} prints it when a test fails).
 *
 * <p>The config is the test's YAML after a {@link Dist#header header} that sets a free admin port and the
 * distribution's plugins folder.
 */
public final class ProxyProcess implements AutoCloseable {
  private static final Duration READY_PATIENCE = Duration.ofSeconds(90);
  private static final Set<ProxyProcess> RUNNING = ConcurrentHashMap.newKeySet();

  private final Path folder;
  private final Path configFile;
  private final Path log;
  private final int adminPort;
  private final Path pluginsDir;
  private final Process process;

  private ProxyProcess(Path folder, Path configFile, Path log, int adminPort, Path pluginsDir, Process process) {
    this.folder = folder;
    this.configFile = configFile;
    this.log = log;
    this.adminPort = adminPort;
    this.pluginsDir = pluginsDir;
    this.process = process;
  }

  /**
   * Writes {@code yaml} (listeners and clusters) after the header, starts the proxy and waits until {@code GET
   * /ready} answers 200.
   *
   * @param name names the run's folder, e.g. the test class
   * @param runOptions added to {@code bin/metaproxy run --config FILE}, e.g. {@code "--threads", "1"}
   * @throws AssertionError with the proxy's output when it exits or does not become ready
   */
  public static ProxyProcess start(String name, String yaml, String... runOptions) {
    return start(name, Dist.plugins(), yaml, runOptions);
  }

  /**
   * Like {@link #start(String, String, String...)}, with {@code plugins.dir} set to {@code pluginsDir} instead of
   * the distribution's plugins folder.
   */
  public static ProxyProcess start(String name, Path pluginsDir, String yaml, String... runOptions) {
    return launch(name, pluginsDir, Map.of(), yaml, runOptions);
  }

  /**
   * Like {@link #start(String, String, String...)}, with {@code environment} added to the proxy's environment last
   * (it overrides what {@link Cli} sets): {@code JAVA_OPTS}, for one.
   */
  public static ProxyProcess start(
      String name, Map<String, String> environment, String yaml, String... runOptions) {
    return launch(name, Dist.plugins(), environment, yaml, runOptions);
  }

  private static ProxyProcess launch(
      String name, Path pluginsDir, Map<String, String> environment, String yaml, String... runOptions) {
    try {
      Path runs = Files.createDirectories(Path.of("target", "it-runs").toAbsolutePath());
      Path folder = Files.createTempDirectory(runs, name + "-");
      Path configFile = folder.resolve("metaproxy.yaml");
      int adminPort = FreePorts.next();
      Files.writeString(configFile, Dist.header(adminPort, pluginsDir) + yaml, StandardCharsets.UTF_8);
      Path log = folder.resolve("proxy.log");
      List<String> command = new ArrayList<>(List.of("run", "--config", configFile.toString()));
      command.addAll(List.of(runOptions));
      Process process = Cli.start(log, environment, command.toArray(String[]::new));
      ProxyProcess proxy = new ProxyProcess(folder, configFile, log, adminPort, pluginsDir, process);
      RUNNING.add(proxy);
      try {
        proxy.awaitReady();
      } catch (RuntimeException | AssertionError e) {
        proxy.close();
        throw e;
      }
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config file the proxy was started with; {@link #rewriteConfig} changes it for a reload. */
  public Path configFile() {
    return configFile;
  }

  public int adminPort() {
    return adminPort;
  }

  /** Replaces the config file's content with the header and {@code yaml}; the proxy sees it on the next reload. */
  public void rewriteConfig(String yaml) {
    writeConfig(Dist.header(adminPort, pluginsDir) + yaml);
  }

  /** Replaces the config file's content with exactly {@code text} (no header), for invalid configs. */
  public void writeConfig(String text) {
    try {
      Files.writeString(configFile, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET path} on the admin API: status and body. */
  public HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(5))
          .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /**
   * {@code POST path} on the admin API (no body): status and body. Patient, because {@code POST /reload} builds a
   * snapshot (plugins, scripts) before it answers.
   */
  public HttpResponse<String> adminPost(String path) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(60))
          .POST(HttpRequest.BodyPublishers.noBody())
          .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /** The proxy JVM's process id: {@code bin/metaproxy} execs java, so the process started is the JVM. */
  public long pid() {
    return process.pid();
  }

  /**
   * Makes the proxy JVM collect garbage now ({@code jcmd <pid> GC.run}; {@code bin/metaproxy} execs java, so the
   * process is the JVM), so that Netty's leak detector finds buffers dropped unreleased. It reports them when the
   * proxy next allocates a tracked buffer: send some traffic after this, then {@link #assertNoLeaksReported()}.
   */
  public void collectGarbage() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!gc.waitFor(30, TimeUnit.SECONDS)) {
        gc.destroyForcibly();
        throw new AssertionError("jcmd " + process.pid() + " GC.run did not finish within 30s");
      }
      if (gc.exitValue() != 0) {
        throw new AssertionError("jcmd " + process.pid() + " GC.run failed with status " + gc.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The proxy's output so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** The last {@code lines} lines of the output, headed by where the full log is. */
  public String logTail(int lines) {
    List<String> all = log().lines().toList();
    List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
    return "---- " + log + " (last " + tail.size() + " of " + all.size() + " lines) ----\n"
        + String.join("\n", tail) + "\n---- end of " + folder.getFileName() + " ----";
  }

  /** The proxies started and not yet closed, for {@link ShowProxyLogOnFailure}. */
  static Set<ProxyProcess> running() {
    return RUNNING;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_PATIENCE.toNanos();
    String lastAnswer = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the proxy exited with status " + process.exitValue() + " before it was ready\n"
            + logTail(200));
      }
      try {
        HttpResponse<String> ready = admin("/ready");
        if (ready.statusCode() == 200) {
          return;
        }
        lastAnswer = ready.statusCode() + " " + ready.body().strip();
      } catch (IOException notYet) {
        lastAnswer = notYet.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      sleep(100);
    }
    throw new AssertionError("the proxy was not ready after " + READY_PATIENCE.toSeconds() + "s (GET /ready: "
        + lastAnswer + ")\n" + logTail(200));
  }

  /**
   * Stops the proxy: SIGTERM (its graceful shutdown), then SIGKILL if it is still running after 15s. Idempotent.
   */
  @Override
  public void close() {
    RUNNING.remove(this);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Netty's leak detector (level from the build, paranoid by default) logs "LEAK:" when a buffer the proxy forgot to
   * release is collected. Call after the traffic, before {@link #close()}.
   */
  public void assertNoLeaksReported() {
    String output = log();
    if (output.contains("LEAK:")) {
      throw new AssertionError("the proxy reported a ByteBuf leak\n" + logTail(400));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
