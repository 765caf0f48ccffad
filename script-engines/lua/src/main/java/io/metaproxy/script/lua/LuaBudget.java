package io.metaproxy.script.lua;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * Stops a Lua call that runs past its budget. luaj's interpreter reports every instruction to {@code
 * Globals.debuglib}; this replacement for the debug library (which scripts never see) counts instructions and reads
 * the clock every {@value #CHECK_EVERY} of them, so the cost is one decrement per instruction.
 *
 * <p>The clock starts at a call's {@value #FIRST_CHECK}th instruction, not when the call starts: the usual filter call
 * is shorter than that and then never reads the clock (on a virtual machine a clock read costs about as much as a
 * {@code ctx:get}). What goes uncounted is the time of those first instructions, each a bounded interpreter step or
 * host call; the exception, one long library call, could not be stopped anyway (below).
 *
 * <p>Past the deadline it raises a Lua error, and keeps raising one at every further instruction: a script that
 * catches the first with {@code pcall} fails again at its next instruction, so no amount of {@code pcall} nesting
 * keeps it running. What it cannot stop is a single long library call (a pattern match over a huge string, say):
 * luaj runs those in Java without instructions to hook.
 *
 * <p>The standard debug library's call-stack bookkeeping is skipped on purpose (it costs on every call and only
 * serves {@code debug.*} and tracebacks, which scripts do not get). One instance per VM, used on its event loop.
 */
final class LuaBudget extends DebugLib {
  private static final int CHECK_EVERY = 128;
  private static final int FIRST_CHECK = 32;

  private final String exceededMessage;
  private long budgetNanos;
  private boolean clockStarted;
  private long deadline;
  private int countdown = CHECK_EVERY;
  private boolean armed;
  private boolean exceeded;

  LuaBudget(String budgetText) {
    this.exceededMessage = "exceeded its budget of " + budgetText;
  }

  /** Starts a call that may run for {@code nanos}. */
  void arm(long nanos) {
    budgetNanos = nanos;
    clockStarted = false;
    countdown = FIRST_CHECK;
    exceeded = false;
    armed = true;
  }

  /** Ends the call. */
  void disarm() {
    armed = false;
    exceeded = false;
  }

  boolean armed() {
    return armed;
  }

  @Override
  public void onInstruction(int pc, Varargs v, int top) {
    if (--countdown > 0) {
      return;
    }
    countdown = CHECK_EVERY;
    if (!armed) {
      return;
    }
    if (!exceeded) {
      long now = System.nanoTime();
      if (!clockStarted) {
        clockStarted = true;
        deadline = now + budgetNanos;
        return;
      }
      exceeded = now - deadline >= 0;
    }
    if (exceeded) {
      countdown = 1;
      throw new LuaError(exceededMessage);
    }
  }

  @Override
  public void onCall(LuaFunction f) {}

  @Override
  public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {}

  @Override
  public void onReturn() {}

  /** luaj appends this to error messages when a debug library is installed; scripts get no traceback. */
  @Override
  public String traceback(int level) {
    return "";
  }
}
