package io.metaproxy.script.wasm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The budget of one filter's WASM calls, enforced by the shared {@link Watchdog}.
 *
 * <p>Chicory's compiled code (and its interpreter) checks {@link Thread#isInterrupted()} on every function entry and
 * every backward branch, and throws {@code ChicoryInterruptedException} when it is set. That is the only way to stop
 * a loop in compiled code, so the watchdog interrupts the thread running a call that is past its deadline. Interrupting
 * an event loop thread is only safe when the interrupt cannot land anywhere else, so the guard is a small state
 * machine the watchdog and the calling thread move with compare-and-set:
 *
 * <pre>
 *   IDLE --enter--> GUEST <--enterHost/exitHost--> HOST
 *   GUEST --watchdog: past deadline--> EXPIRED --interrupt sent--> INTERRUPTED
 *   HOST  --watchdog: past deadline--> EXPIRED_IN_HOST   (no interrupt: host code is never interrupted)
 *   any   --exit--> IDLE   (after clearing an interrupt that was sent, so none leaks into the event loop)
 * </pre>
 *
 * Host functions (ours and WASI's) run in HOST state, so an interrupt never reaches code that could misread it (an NIO
 * channel, for one, closes itself when its thread is interrupted); a call past its deadline in a host function fails
 * when the host function returns. {@link #exit} waits for an interrupt the watchdog has decided on but not yet sent,
 * then clears it.
 *
 * <p>The state word also carries the call's sequence number, so the watchdog's compare-and-set only ever hits the
 * call whose deadline it read: a call that ended, followed by a new one, between the watchdog's read and its
 * compare-and-set, is not mistaken for the old one.
 *
 * <p>Nested calls (a host function that makes the host call the same filter again) run under the outermost call's
 * deadline. Not thread-safe apart from the watchdog's side: one filter, one event loop.
 */
final class CallGuard {
  static final int IDLE = 0;
  static final int GUEST = 1;
  static final int HOST = 2;
  static final int EXPIRED = 3;
  static final int INTERRUPTED = 4;
  static final int EXPIRED_IN_HOST = 5;

  private static final int STATE_BITS = 3;
  private static final long STATE_MASK = (1L << STATE_BITS) - 1;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(CallGuard.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code sequence << STATE_BITS | state}; through STATE. */
  @SuppressWarnings("unused")
  private volatile long state;

  /** Written by the calling thread before it publishes GUEST, read by the watchdog after it reads the state. */
  private Thread runner;

  private long deadline;
  private long sequence;
  private int depth;

  private long word(int stateOfCall) {
    return sequence << STATE_BITS | stateOfCall;
  }

  private static int stateOf(long word) {
    return (int) (word & STATE_MASK);
  }

  /** Starts a call that may run for {@code budgetNanos}; a nested call keeps the outer call's deadline. */
  void enter(long budgetNanos) {
    if (depth++ > 0) {
      if (!STATE.compareAndSet(this, word(HOST), word(GUEST))) {
        depth--;
        throw new BudgetExceeded();
      }
      return;
    }
    sequence++;
    runner = Thread.currentThread();
    deadline = System.nanoTime() + budgetNanos;
    STATE.setVolatile(this, word(GUEST));
  }

  /**
   * Ends a call, successful or not.
   *
   * @return whether the watchdog stopped (or was about to stop) this call
   */
  boolean exit() {
    if (--depth > 0) {
      // back in the outer call's host function
      return !STATE.compareAndSet(this, word(GUEST), word(HOST));
    }
    int seen;
    while (true) {
      seen = stateOf((long) STATE.getVolatile(this));
      if (seen != EXPIRED) {
        break;
      }
      // the watchdog is between deciding and interrupting; wait for the interrupt so it can be cleared
      Thread.onSpinWait();
    }
    if (seen == INTERRUPTED) {
      Thread.interrupted(); // clear the flag the watchdog set for this call
    }
    runner = null;
    STATE.setVolatile(this, word(IDLE));
    return seen != GUEST && seen != HOST;
  }

  /** Called as a host function starts: from here on the watchdog does not interrupt. */
  void enterHost() {
    if (!STATE.compareAndSet(this, word(GUEST), word(HOST)) && stateOf((long) STATE.getVolatile(this)) != IDLE) {
      // past the deadline already (the interrupt may be on its way; exit() clears it)
      throw new BudgetExceeded();
    }
  }

  /** Called as a host function returns to guest code. */
  void exitHost() {
    if (!STATE.compareAndSet(this, word(HOST), word(GUEST))
        && stateOf((long) STATE.getVolatile(this)) == EXPIRED_IN_HOST) {
      throw new BudgetExceeded();
    }
  }

  /** The watchdog's check, at time {@code now}; interrupts the runner when its call is past the deadline. */
  void check(long now) {
    long seen = (long) STATE.getVolatile(this);
    int current = stateOf(seen);
    // the deadline read here is the one of call `seen` or of a later call; a later call fails the CAS below
    if ((current != GUEST && current != HOST) || now - deadline < 0) {
      return;
    }
    long call = seen & ~STATE_MASK;
    if (current == HOST) {
      STATE.compareAndSet(this, seen, call | EXPIRED_IN_HOST);
      return;
    }
    Thread thread = runner;
    if (STATE.compareAndSet(this, seen, call | EXPIRED)) {
      if (thread != null) {
        thread.interrupt();
      }
      STATE.setVolatile(this, call | INTERRUPTED);
    }
  }

  /**
   * Thrown by a host function (or a nested call) when the budget is spent. Unchecked and without a stack trace: it
   * unwinds the guest like any Java exception and is turned into a script failure by the filter.
   */
  static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("budget exceeded", null, false, false);
    }
  }
}
