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
 * Host functions that may log, do I/O or wait (logging, WASI) run in HOST state, so an interrupt never reaches code
 * that could misread it (an NIO channel, for one, closes itself when its thread is interrupted); a call past its
 * deadline in such a function fails when the function returns, and one already stopped fails as it enters it. Host
 * functions that only compute stay in GUEST state, where an interrupt is harmless to them and acted on by the guest's
 * next check (see {@code WasmFilter#computeOnlyHost}). {@link #exit} waits for an interrupt the watchdog has decided
 * on but not yet sent, then clears it.
 *
 * <p>The state word also carries the call's sequence number, so the watchdog's compare-and-set only ever hits the
 * call it timed: a call that ended, followed by a new one, between the watchdog's read and its compare-and-set, is not
 * mistaken for the old one.
 *
 * <p><b>Timing.</b> The calling thread never reads the clock (a clock read costs as much as the rest of a call's
 * set-up): the watchdog times each call from the tick at which it first sees the call's sequence number running, and
 * stops it at the first tick at least its budget after that. A call is therefore never stopped before its budget, and
 * at most two ticks after it (the watchdog ticks at an eighth of the smallest budget, see {@link Watchdog}).
 *
 * <p>Nested calls (a host function that makes the host call the same filter again) run under the outermost call's
 * budget, timed from its start. Not thread-safe apart from the watchdog's side: one filter, one event loop.
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
  /** The running call's budget; published like {@link #runner}. */
  private long budget;

  private long sequence;
  private int depth;

  // the watchdog's own: which call it saw running at its last tick, and since when
  private long watchedCall = -1;
  private long watchedSince;

  private long word(int stateOfCall) {
    return sequence << STATE_BITS | stateOfCall;
  }

  private static int stateOf(long word) {
    return (int) (word & STATE_MASK);
  }

  /** Starts a call that may run for {@code budgetNanos}; a nested call keeps the outer call's budget and start. */
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
    budget = budgetNanos;
    // release: the watchdog that reads GUEST (an acquire) sees this call's runner and budget; nothing on this thread
    // depends on the store being visible at once (the watchdog merely starts timing the call a little later)
    STATE.setRelease(this, word(GUEST));
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
    while (true) {
      long word = (long) STATE.getVolatile(this);
      int seen = stateOf(word);
      if (seen == GUEST || seen == HOST) {
        // a compare-and-set, not a store: the watchdog may expire the call between the read above and here, and its
        // interrupt must then be waited for and cleared, not leak into the caller's thread
        if (STATE.compareAndSet(this, word, word(IDLE))) {
          return false;
        }
      } else if (seen == EXPIRED) {
        // the watchdog is between deciding and interrupting; wait for the interrupt so it can be cleared
        Thread.onSpinWait();
      } else {
        // INTERRUPTED or EXPIRED_IN_HOST: the watchdog is done with this call
        if (seen == INTERRUPTED) {
          Thread.interrupted(); // clear the flag the watchdog set for this call
        }
        STATE.setRelease(this, word(IDLE));
        return true;
      }
    }
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

  /**
   * The watchdog's check, at time {@code now}: starts timing a call it sees for the first time, and interrupts the
   * runner of a call that has been running for its budget since then. Only ever called by the watchdog's thread.
   */
  void check(long now) {
    long seen = (long) STATE.getVolatile(this);
    int current = stateOf(seen);
    if (current != GUEST && current != HOST) {
      return;
    }
    long call = seen & ~STATE_MASK;
    if (call != watchedCall) {
      watchedCall = call;
      watchedSince = now;
      return;
    }
    // the budget read here is the one of call `seen` or of a later call; a later call fails the CAS below
    if (now - watchedSince < budget) {
      return;
    }
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
