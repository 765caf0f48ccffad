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
 * quarter budget (between 1 and 50 ms) and interrupts the Context of any call that has run for its budget. GraalJS's
 * interrupt is non-destructive: the call fails with an "interrupted" exception at its next safepoint, and the Context
 * stays usable.
 *
 * <p>On the message path a call costs two volatile writes (start and end) and no clock read: a clock read costs
 * about as much as the rest of a short call's set-up, so the watchdog times each call itself, from the tick at which
 * it first sees the call's sequence number running. A call is therefore never stopped before its budget, and at most
 * two ticks (half a budget) after it, plus the time to reach a safepoint. Nothing is scheduled per call; the thread
 * wakes only while some JS filter exists.
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
        period = Math.min(period, guard.budgetNanos / 4);
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

  /** The watch on one Context: which call runs in it, if any, and since when the watchdog has seen it running. */
  static final class Guard {
    private final Context context;
    /** The filter's budget per call; it sets how often the watchdog ticks. */
    private final long budgetNanos;
    /** The running call's sequence number, 0 when none runs. Written by the event loop, read by the watchdog. */
    private volatile long runningCall;
    /** The running call's budget: written before {@link #runningCall} publishes the call. */
    private long callBudgetNanos;
    /** The event loop's own: the last call's sequence number. */
    private long lastCall;
    // the watchdog's own: which call it saw running at its last tick, and since when
    private long watchedCall;
    private long watchedSince;

    private Guard(Context context, long budgetNanos) {
      this.context = context;
      this.budgetNanos = budgetNanos;
    }

    /** A call starts that may run for {@code nanos}. */
    void start(long nanos) {
      callBudgetNanos = nanos;
      runningCall = ++lastCall;
    }

    /** The call ended. */
    void stop() {
      runningCall = 0;
    }

    boolean running() {
      return runningCall != 0;
    }

    private void interruptIfPast(long now) {
      long call = runningCall;
      if (call == 0) {
        return;
      }
      if (call != watchedCall) {
        watchedCall = call;
        watchedSince = now;
        return;
      }
      // the budget read here is call's or a later call's (whose start also changed runningCall): either is a budget
      // this filter gives its calls, and a later call is simply first seen at the next tick
      if (now - watchedSince < callBudgetNanos) {
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
