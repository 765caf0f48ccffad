package io.metaproxy.script.lua;

import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptFilter;
import io.metaproxy.script.ScriptSettings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * A Lua script as a filter: one VM, built from the shared compiled chunk, used by one event loop.
 *
 * <p>Building it runs the script's top level (which defines the handlers) and looks up the global functions {@code
 * on_request} and {@code on_response} once; at least one must exist. Each message then calls the handler with the
 * VM's one {@code ctx} under the budget (see {@link LuaBudget}).
 */
final class LuaFilter extends ScriptFilter {
  private final Globals globals;
  private final LuaBudget budget;
  private final LuaValue ctx;
  private final long budgetNanos;
  private final LuaValue onRequest;
  private final LuaValue onResponse;

  /**
   * @throws IllegalArgumentException when the top level fails or runs past {@link ScriptSettings#loadBudget()}, or
   *     when the script defines no handler
   */
  LuaFilter(ScriptSettings settings, Prototype chunk) {
    super(settings);
    String name = settings.scriptName();
    this.budgetNanos = settings.budget().toNanos();
    this.globals = LuaSandbox.newGlobals();
    this.budget = new LuaBudget(ScriptSettings.describe(settings.budget()));
    globals.debuglib = budget;
    // luaj passes every error message through the running thread's error function before it is caught or reaches us.
    globals.running.errorfunc = new MessageFormat(name);
    this.ctx = LuaCtx.bind(scriptContext());

    budget.arm(settings.loadBudget().toNanos());
    try {
      new LuaClosure(chunk, globals).call();
    } catch (LuaError e) {
      throw new IllegalArgumentException(message(name, e), e);
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException(ScriptFailure.format(name, 0, "stack overflow"), e);
    } finally {
      budget.disarm();
    }
    this.onRequest = handler(name, "on_request");
    this.onResponse = handler(name, "on_response");
    if (onRequest == null && onResponse == null) {
      throw new IllegalArgumentException(name + ": defines neither on_request(ctx) nor on_response(ctx)");
    }
  }

  private LuaValue handler(String name, String function) {
    LuaValue value = globals.get(function);
    if (value.isnil()) {
      return null;
    }
    if (!value.isfunction()) {
      throw new IllegalArgumentException(name + ": " + function + " must be a function, not a " + value.typename());
    }
    return value;
  }

  @Override
  protected boolean handles(Phase phase) {
    return (phase == Phase.REQUEST ? onRequest : onResponse) != null;
  }

  @Override
  protected void call(Phase phase) {
    LuaValue handler = phase == Phase.REQUEST ? onRequest : onResponse;
    boolean nested = budget.armed(); // a call from inside a call runs under the outer call's deadline
    if (!nested) {
      budget.arm(budgetNanos);
    }
    try {
      handler.call(ctx);
    } catch (LuaError e) {
      throw new ScriptFailure(message(settings().scriptName(), e), e);
    } catch (StackOverflowError e) {
      throw new ScriptFailure(ScriptFailure.format(settings().scriptName(), 0, "stack overflow (recursion too deep)"));
    } finally {
      if (!nested) {
        budget.disarm();
      }
    }
  }

  @Override
  public void close() {
    // Nothing to free eagerly: the VM is plain heap, collected with this filter.
  }

  private static String message(String name, LuaError e) {
    String message = e.getMessage();
    if (message == null) {
      message = "error";
    }
    message = message.strip();
    return message.startsWith(name + ":") ? message : ScriptFailure.format(name, 0, message);
  }

  /**
   * Rewrites luaj's {@code =name:12 reason} (the chunk name as compiled, and no colon after the line) into the usual
   * {@code name:12: reason}, which is also what {@code pcall} then returns to the script.
   */
  private static final class MessageFormat extends OneArgFunction {
    private final String chunkName;
    private final String scriptName;

    MessageFormat(String scriptName) {
      this.scriptName = scriptName;
      this.chunkName = "=" + scriptName + ":";
    }

    @Override
    public LuaValue call(LuaValue message) {
      String text = message.tojstring();
      if (!text.startsWith(chunkName)) {
        return message;
      }
      int lineStart = chunkName.length();
      int lineEnd = text.indexOf(' ', lineStart);
      if (lineEnd < 0) {
        return LuaValue.valueOf(text.substring(1));
      }
      String line = text.substring(lineStart, lineEnd);
      String reason = text.substring(lineEnd + 1);
      return LuaValue.valueOf(line.chars().allMatch(Character::isDigit)
          ? ScriptFailure.format(scriptName, Integer.parseInt(line), reason)
          : ScriptFailure.format(scriptName, 0, reason));
    }
  }
}
