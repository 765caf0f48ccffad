package io.metaproxy.script.wasm;

import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that stops WASM calls running past their budget, for every WASM filter in the process.
 *
 * <p>Filters register their {@link CallGuard} when built and unregister it when closed. While any is registered the
 * watchdog wakes every {@link #tickNanos} and checks each guard (a volatile read each; an interrupt for one past its
 * budget); with none registered it sleeps until one is. Waking on a fixed tick keeps the message path free of any
 * signalling: starting a call is a plain volatile write, never a wake-up of another thread, nor even a clock read
 * (the watchdog times calls itself, see {@link CallGuard}). The price is that a call is stopped up to two ticks after
 * its budget; the tick is an eighth of the smallest registered budget, between {@value #MIN_TICK_MICROS}us and
 * {@value #MAX_TICK_MILLIS}ms.
 *
 * <p>A registration also ends when its filter is garbage-collected without having been closed, so a host that drops
 * filters (a validation run, say) does not keep the watchdog ticking for them.
 */
final class Watchdog implements Runnable {
  static final long MIN_TICK_MICROS = 250;
  static final long MAX_TICK_MILLIS = 50;

  private static final Watchdog SHARED = new Watchdog();

  private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile long tickNanos = TimeUnit.MILLISECONDS.toNanos(MAX_TICK_MILLIS);

  private Watchdog() {
    thread = Thread.ofPlatform().name("metaproxy-wasm-watchdog").daemon(true).unstarted(this);
    thread.start();
  }

  /** The process-wide watchdog. */
  static Watchdog shared() {
    return SHARED;
  }

  /**
   * Watches {@code guard}, whose calls have {@code budgetNanos} each, until the returned handle is closed or {@code
   * owner} (the filter) is collected.
   */
  Registration register(Object owner, CallGuard guard, long budgetNanos) {
    Registration registration = new Registration(owner, guard, budgetNanos);
    registrations.add(registration);
    retune();
    LockSupport.unpark(thread);
    return registration;
  }

  private void retune() {
    long smallest = Long.MAX_VALUE;
    for (Registration registration : registrations) {
      smallest = Math.min(smallest, registration.budgetNanos);
    }
    long tick = smallest == Long.MAX_VALUE ? TimeUnit.MILLISECONDS.toNanos(MAX_TICK_MILLIS) : smallest / 8;
    tickNanos =
        Math.max(TimeUnit.MICROSECONDS.toNanos(MIN_TICK_MICROS), Math.min(tick, TimeUnit.MILLISECONDS.toNanos(MAX_TICK_MILLIS)));
  }

  @Override
  public void run() {
    while (true) {
      if (registrations.isEmpty()) {
        LockSupport.park(this);
        continue;
      }
      long now = System.nanoTime();
      for (Registration registration : registrations) {
        if (registration.owner.refersTo(null)) {
          registration.close();
        } else {
          registration.guard.check(now);
        }
      }
      LockSupport.parkNanos(this, tickNanos);
    }
  }

  /** A guard being watched; closing it stops the watching. Idempotent. */
  final class Registration implements AutoCloseable {
    private final WeakReference<Object> owner;
    private final CallGuard guard;
    private final long budgetNanos;

    private Registration(Object owner, CallGuard guard, long budgetNanos) {
      this.owner = new WeakReference<>(owner);
      this.guard = guard;
      this.budgetNanos = budgetNanos;
    }

    @Override
    public void close() {
      if (registrations.remove(this)) {
        retune();
      }
    }
  }
}
