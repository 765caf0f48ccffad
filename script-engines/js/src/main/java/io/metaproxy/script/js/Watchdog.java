package io.metaproxy.script.js;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graalvm.polyglot.Context;

/**
 * Stops JS calls that run past their budget: one daemon thread for the process looks at every running call every
 * half budget (between 1 and 50 ms) and interrupts the Context of any call past its deadline. GraalJS's interrupt is
 * non-destructive: the call fails with an "interrupted" exception at its next safepoint, and the Context stays usable.
 *
 * <p>On the message path a call costs two volatile writes (start and end); nothing is scheduled per call. The price
 * is precision: a runaway call is stopped within about one and a half budgets (plus the time to reach a safepoint).
 * The thread wakes only while some JS filter exists.
 */
final class Watchdog {
  static final Watchdog SHARED = new Watchdog();

  private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final Duration INTERRUPT_WAIT = Duration.ofMillis(100);

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "metaproxy-js-watchdog");
            thread.setDaemon(true);
            return thread;
          });
  private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean ticking = new AtomicBoolean();

  /** Starts watching calls into {@code context}, whose budget is {@code budgetNanos}. */
  Guard watch(Context context, long budgetNanos) {
    Guard guard = new Guard(context, budgetNanos);
    guards.add(guard);
    scheduleTick();
    return guard;
  }

  /** Stops watching (the filter is closed). */
  void unwatch(Guard guard) {
    guards.remove(guard);
  }

  private void scheduleTick() {
    if (ticking.compareAndSet(false, true)) {
      long period = MAX_PERIOD_NANOS;
      for (Guard guard : guards) {
        period = Math.min(period, guard.budgetNanos / 2);
      }
      timer.schedule(this::tick, Math.max(MIN_PERIOD_NANOS, period), TimeUnit.NANOSECONDS);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (Guard guard : guards) {
      guard.interruptIfPast(now);
    }
    ticking.set(false);
    if (!guards.isEmpty()) {
      scheduleTick();
    }
  }

  /** The watch on one Context: the deadline of the call running in it, if any. */
  static final class Guard {
    private final Context context;
    private final long budgetNanos;
    /** Deadline (System.nanoTime) of the running call; 0 when none runs. Written by the event loop, read here. */
    private volatile long deadline;

    private Guard(Context context, long budgetNanos) {
      this.context = context;
      this.budgetNanos = budgetNanos;
    }

    /** A call starts that may run for {@code nanos}. */
    void start(long nanos) {
      long at = System.nanoTime() + nanos;
      deadline = at == 0 ? 1 : at;
    }

    /** The call ended. */
    void stop() {
      deadline = 0;
    }

    boolean running() {
      return deadline != 0;
    }

    private void interruptIfPast(long now) {
      long at = deadline;
      if (at == 0 || now - at < 0) {
        return;
      }
      try {
        context.interrupt(INTERRUPT_WAIT);
      } catch (TimeoutException e) {
        // The call sits in host code or a blocking wait that no safepoint reaches; the next tick tries again.
      } catch (RuntimeException e) {
        // The context was closed meanwhile: nothing left to stop.
      }
    }
  }
}
