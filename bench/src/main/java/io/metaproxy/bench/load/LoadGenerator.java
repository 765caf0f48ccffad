package io.metaproxy.bench.load;

import io.metaproxy.bench.net.Transport;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Drives N connections to one address through a sequence of {@link Step}s. Build it with {@link #connect}, call
 * {@link #run} once per step from one controlling thread, then {@link #close}.
 */
public final class LoadGenerator implements AutoCloseable {
  /** Open-loop steps start this long after they are set up, so that every loop begins on the same schedule. */
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * How to connect and what to send.
   *
   * @param connections connections to open; they are spread over the event loops
   * @param threads event loop threads
   * @param maxInFlight the most requests one connection keeps outstanding in open loop (closed loop keeps its depth)
   * @param timeout a request unanswered this long is counted as a timeout and forgotten
   * @param drain after a step's window, how long outstanding requests may still finish
   */
  public record Options(
      BenchProtocol protocol,
      String host,
      int port,
      int connections,
      int threads,
      RequestShape shape,
      int maxInFlight,
      Duration timeout,
      Duration drain) {
    public Options {
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(shape, "shape");
      if (connections < 1 || threads < 1 || maxInFlight < 1) {
        throw new IllegalArgumentException("connections, threads and maxInFlight must be positive");
      }
    }

    /** The same load against another port (a {@code load --sequence} row served by its own process). */
    public Options withPort(int otherPort) {
      return new Options(protocol, host, otherPort, connections, threads, shape, maxInFlight, timeout, drain);
    }
  }

  private final Options options;
  private final EventLoopGroup group;
  private final Map<EventExecutor, LoopStats> loops = new LinkedHashMap<>();
  private final ThreadLocal<LoopStats> loopStats = new ThreadLocal<>();
  private final Bootstrap bootstrap;
  private final byte[] request;
  private final List<Channel> channels = new ArrayList<>();
  private long reconnects;

  private LoadGenerator(Options options) {
    this.options = options;
    this.request = options.protocol().request(options.shape());
    this.group = Transport.group(options.threads(), "load");
    for (EventExecutor loop : group) {
      LoopStats stats = new LoopStats();
      loops.put(loop, stats);
      loop.submit(() -> loopStats.set(stats)).syncUninterruptibly();
    }
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(Transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
        .remoteAddress(options.host(), options.port());
  }

  /** Opens every connection; fails when any cannot be opened. */
  public static LoadGenerator connect(Options options) throws IOException, InterruptedException {
    LoadGenerator generator = new LoadGenerator(options);
    try {
      List<ChannelFuture> futures = new ArrayList<>();
      for (int i = 0; i < options.connections(); i++) {
        futures.add(generator.open(i));
      }
      for (ChannelFuture future : futures) {
        generator.channels.add(generator.await(future));
      }
      return generator;
    } catch (IOException | InterruptedException | RuntimeException e) {
      generator.close();
      throw e;
    }
  }

  /** Bytes of one request frame. */
  public int requestBytes() {
    return request.length;
  }

  /** Connections that had to be reopened so far. */
  public long reconnects() {
    return reconnects;
  }

  private ChannelFuture open(int index) {
    long timeoutNanos = options.timeout().toNanos();
    return bootstrap.clone()
        .handler(new LoadConnection(index, options.protocol(), request, options.maxInFlight(), timeoutNanos, loopStats))
        .connect();
  }

  private Channel await(ChannelFuture future) throws IOException, InterruptedException {
    future.await();
    if (!future.isSuccess()) {
      throw new IOException("cannot connect to " + options.host() + ":" + options.port() + ": " + future.cause(),
          future.cause());
    }
    return future.channel();
  }

  /**
   * Runs one step: sends for its duration, lets outstanding requests finish (up to the drain time), and returns what
   * was measured. Connections lost before the step are reopened first.
   *
   * @param progress receives a status line about once a second; may be a no-op
   */
  public StepResult run(Step step, Consumer<String> progress) throws IOException, InterruptedException {
    reopenLostConnections();
    onLoops(stats -> {
      stats.reset();
      return null;
    });
    long durationNanos = step.duration().toNanos();
    long windowStart;
    long end;
    if (step.mode() == Step.Mode.OPEN) {
      int connections = options.connections();
      double interval = OpenLoopSchedule.intervalNanos(step.rate(), connections);
      double spacing = interval / connections;
      windowStart = System.nanoTime() + START_DELAY_NANOS;
      end = windowStart + durationNanos;
      long first = windowStart;
      onLoops(stats -> {
        stats.windowOpen = true;
        for (LoadConnection connection : List.copyOf(stats.connections)) {
          long offset = Math.round(connection.index() * spacing);
          connection.startOpen(new OpenLoopSchedule(first + offset, interval, end));
        }
        return null;
      });
    } else {
      onLoops(stats -> {
        for (LoadConnection connection : List.copyOf(stats.connections)) {
          connection.startClosed(step.depth());
        }
        return null;
      });
      // the window opens once every loop is sending, so that a slow start does not count as lost throughput
      windowStart = System.nanoTime();
      end = windowStart + durationNanos;
      onLoops(stats -> {
        stats.windowOpen = true;
        return null;
      });
    }

    long stepStart = System.nanoTime();
    long nextProgress = stepStart + PROGRESS_NANOS;
    for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
      long wake = Math.min(end, nextProgress);
      TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - now));
      if (System.nanoTime() - nextProgress >= 0) {
        progress.accept(progressLine(step, System.nanoTime() - stepStart));
        nextProgress += PROGRESS_NANOS;
      }
    }
    onLoops(stats -> {
      stats.windowOpen = false;
      for (LoadConnection connection : stats.connections) {
        connection.stopClosed();
      }
      return null;
    });
    long windowNanos = System.nanoTime() - windowStart;

    long drainDeadline = System.nanoTime() + options.drain().toNanos();
    long outstanding = outstanding();
    while (outstanding > 0 && System.nanoTime() - drainDeadline < 0) {
      TimeUnit.MILLISECONDS.sleep(10);
      outstanding = outstanding();
    }
    if (outstanding > 0) {
      progress.accept(String.format(Locale.ROOT, "[%s] gave up draining %d outstanding requests after %ds",
          step.label(), outstanding, options.drain().toSeconds()));
    }

    LoopStats.Totals totals = new LoopStats.Totals();
    for (LoopStats.Totals loopTotals : onLoops(stats -> {
      for (LoadConnection connection : List.copyOf(stats.connections)) {
        connection.abandon();
      }
      return stats.snapshot();
    })) {
      totals.add(loopTotals);
    }
    return new StepResult(step, windowNanos, totals.sent, totals.ok, totals.okInWindow, totals.errors,
        totals.timeouts, totals.connectionErrors, totals.unexpected, totals.corrected, totals.raw);
  }

  private long outstanding() throws InterruptedException {
    long outstanding = 0;
    for (long loopOutstanding : onLoops(LoopStats::outstanding)) {
      outstanding += loopOutstanding;
    }
    return outstanding;
  }

  /** What one loop reports for a progress line. */
  private record LoopProgress(Histogram interval, long sent, long failures, long inFlight) {}

  private String progressLine(Step step, long elapsedNanos) throws InterruptedException {
    Histogram interval = LoopStats.newHistogram();
    long sent = 0;
    long failures = 0;
    long inFlight = 0;
    for (LoopProgress loop : onLoops(stats -> {
      long loopInFlight = 0;
      for (LoadConnection connection : stats.connections) {
        loopInFlight += connection.ledger().inFlight();
      }
      return new LoopProgress(stats.takeInterval(), stats.sent,
          stats.errors + stats.timeouts + stats.connectionErrors, loopInFlight);
    })) {
      interval.add(loop.interval());
      sent += loop.sent();
      failures += loop.failures();
      inFlight += loop.inFlight();
    }
    return String.format(Locale.ROOT,
        "[%s] %3ds/%ds  %9.0f ok/s  p50 %7.3f  p99 %7.3f  p99.9 %7.3f ms  sent %d  in flight %d  errors %d",
        step.label(), TimeUnit.NANOSECONDS.toSeconds(elapsedNanos + 500_000_000L),
        step.duration().toSeconds(), (double) interval.getTotalCount(), millis(interval.getValueAtPercentile(50)),
        millis(interval.getValueAtPercentile(99)), millis(interval.getValueAtPercentile(99.9)), sent, inFlight,
        failures);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private void reopenLostConnections() throws IOException, InterruptedException {
    for (int i = 0; i < channels.size(); i++) {
      if (!channels.get(i).isActive()) {
        channels.set(i, await(open(i)));
        reconnects++;
      }
    }
  }

  /** Runs {@code action} on every loop with that loop's stats and returns the results in loop order. */
  private <T> List<T> onLoops(Function<LoopStats, T> action) throws InterruptedException {
    List<Future<T>> futures = new ArrayList<>(loops.size());
    for (Map.Entry<EventExecutor, LoopStats> loop : loops.entrySet()) {
      LoopStats stats = loop.getValue();
      futures.add(loop.getKey().submit(() -> action.apply(stats)));
    }
    List<T> results = new ArrayList<>(futures.size());
    for (Future<T> future : futures) {
      try {
        results.add(future.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("event loop task failed", e.getCause());
      }
    }
    return results;
  }

  @Override
  public void close() {
    for (Channel channel : channels) {
      channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
