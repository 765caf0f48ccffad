package io.metaproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/metaproxy} commands as processes, the way users type them. */
public final class Cli {
  private Cli() {}

  /** A finished command: its exit status and everything it printed (stdout and stderr, interleaved). */
  public record Result(int exitCode, String output) {
    @Override
    public String toString() {
      return "exit " + exitCode + ", output:\n" + output;
    }
  }

  /**
   * Runs {@code bin/metaproxy args...} to completion.
   *
   * @throws AssertionError when it does not finish within {@code timeout} (it is killed)
   */
  public static Result run(Duration timeout, String... args) {
    Path output = null;
    try {
      output = Files.createTempFile("metaproxy-cli", ".log");
      Process process = start(output, args);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("bin/metaproxy " + String.join(" ", args) + " did not finish within " + timeout
            + "; output so far:\n" + Files.readString(output, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }

  /**
   * Starts {@code bin/metaproxy args...} with stdout and stderr going to {@code output}.
   *
   * <p>JAVA_HOME is the JDK running the tests (21+, or the build would not have got here), so the launcher's own
   * search is not what is tested here; Netty's leak detector level is passed on through JAVA_OPTS.
   */
  static Process start(Path output, String... args) throws IOException {
    return start(output, Map.of(), args);
  }

  /**
   * As {@link #start(Path, String...)}, with {@code environment} added to the process's environment last, so that it
   * overrides what this class sets (a test that needs its own {@code JAVA_OPTS}, say).
   */
  static Process start(Path output, Map<String, String> environment, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Dist.launcher().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Dist.home().toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    String leakLevel = System.getProperty("io.netty.leakDetection.level");
    if (leakLevel != null) {
      env.put("JAVA_OPTS", "-Dio.netty.leakDetection.level=" + leakLevel);
    }
    env.putAll(environment);
    return builder.start();
  }
}
