package io.metaproxy.script;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;

/**
 * The Filter every script engine extends. It points the filter's {@link ScriptContext} at the message, has the
 * engine call the script's handler, and maps the outcome:
 *
 * <ul>
 *   <li>the script called {@code reply}: {@link FilterStatus#STOP}, whatever the script returned;
 *   <li>it returned normally: {@link FilterStatus#CONTINUE};
 *   <li>it failed ({@link ScriptFailure}, or anything else the engine let through): logged at {@code warn}, then with
 *       {@code on_error: reply} answered with {@link ErrorType#SCRIPT_ERROR} and the failure's message, and with
 *       {@code on_error: continue} passed on. A script that had already replied keeps its reply.
 * </ul>
 *
 * <p>No exception escapes {@link #onRequest} or {@link #onResponse}. Scripts cannot pause: a script runs to its end
 * within its budget on the event loop.
 *
 * <p>One instance per event loop (see {@link Filter}): not thread-safe, and it need not be.
 */
public abstract class ScriptFilter implements Filter {
  /** Which handler a call is for. */
  public enum Phase {
    REQUEST,
    RESPONSE
  }

  private final ScriptSettings settings;
  private final ScriptContext scriptContext = new ScriptContext();

  protected ScriptFilter(ScriptSettings settings) {
    this.settings = settings;
  }

  /** The settings the filter was built from. */
  public final ScriptSettings settings() {
    return settings;
  }

  /** The context object the engine's binding hands to the script; it points at the message being handled. */
  protected final ScriptContext scriptContext() {
    return scriptContext;
  }

  /** Whether the script defines a handler for {@code phase}; when it does not, the message passes untouched. */
  protected abstract boolean handles(Phase phase);

  /**
   * Calls the script's handler for {@code phase} with its {@code ctx}, stopping it when it runs past {@link
   * ScriptSettings#budget()}.
   *
   * @throws ScriptFailure when the script fails, with the message the client should see
   */
  protected abstract void call(Phase phase);

  @Override
  public final FilterStatus onRequest(FilterContext context) {
    return handles(Phase.REQUEST) ? run(Phase.REQUEST, context) : FilterStatus.CONTINUE;
  }

  @Override
  public final FilterStatus onResponse(FilterContext context) {
    return handles(Phase.RESPONSE) ? run(Phase.RESPONSE, context) : FilterStatus.CONTINUE;
  }

  private FilterStatus run(Phase phase, FilterContext context) {
    // Saved and restored rather than cleared: should the host ever call this filter again from inside a call (a reply
    // that runs response filters at once), the outer call finds its own context when the inner one returns.
    FilterContext outerContext = scriptContext.context();
    boolean outerReplied = scriptContext.replied();
    scriptContext.enter(context, false);
    try {
      call(phase);
      return scriptContext.replied() ? FilterStatus.STOP : FilterStatus.CONTINUE;
    } catch (ScriptFailure failure) {
      return fail(context, failure.getMessage());
    } catch (RuntimeException | StackOverflowError unexpected) {
      // An engine bug or a runaway recursion the engine did not turn into a script error itself.
      return fail(context, ScriptFailure.format(settings.scriptName(), 0, String.valueOf(unexpected)));
    } finally {
      scriptContext.enter(outerContext, outerReplied);
    }
  }

  private FilterStatus fail(FilterContext context, String message) {
    boolean replied = scriptContext.replied();
    boolean passOn = settings.onError() == OnError.CONTINUE;
    try {
      context.log("warn", (passOn && !replied ? "script failed, message passed on: " : "script failed: ") + message);
      if (replied) {
        return FilterStatus.STOP;
      }
      if (passOn) {
        return FilterStatus.CONTINUE;
      }
      context.reply(ErrorType.SCRIPT_ERROR, message);
      return FilterStatus.STOP;
    } catch (RuntimeException hostFailure) {
      // Nothing better is possible when the host itself throws; above all, do not throw into the chain.
      return replied || !passOn ? FilterStatus.STOP : FilterStatus.CONTINUE;
    }
  }
}
