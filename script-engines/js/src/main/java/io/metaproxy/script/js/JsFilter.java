package io.metaproxy.script.js;

import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptFilter;
import io.metaproxy.script.ScriptSettings;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * A JS module as a filter: one sandboxed Context on the shared Engine, used by one event loop.
 *
 * <p>Building it evaluates the module (under the load budget) and takes its exports {@code onRequest} and {@code
 * onResponse}; at least one must be a function. Each message then calls the export with the Context's one {@code
 * ctx}, watched by the {@link Watchdog}. Return values are ignored (a returned Promise too: jobs it queued run before
 * the call returns, within the budget).
 */
final class JsFilter extends ScriptFilter {
  private final Context context;
  private final Watchdog.Guard guard;
  private final long budgetNanos;
  private final String budgetText;
  private final Value ctx;
  private final Value onRequest;
  private final Value onResponse;

  /**
   * @throws IllegalArgumentException when the module does not parse, its top level fails or runs past {@link
   *     ScriptSettings#loadBudget()}, or it exports no handler
   */
  JsFilter(ScriptSettings settings, Source source, Engine engine) {
    super(settings);
    String name = settings.scriptName();
    this.budgetNanos = settings.budget().toNanos();
    this.budgetText = ScriptSettings.describe(settings.budget());
    this.context = JsEngine.newContext(engine);
    this.guard = Watchdog.SHARED.watch(context, budgetNanos);
    try {
      this.ctx = context.asValue(new JsCtx(scriptContext()));
      Value exports;
      guard.start(settings.loadBudget().toNanos());
      try {
        exports = context.eval(source);
      } catch (PolyglotException e) {
        throw new IllegalArgumentException(
            JsErrors.describe(name, e, ScriptSettings.describe(settings.loadBudget())), e);
      } finally {
        guard.stop();
      }
      this.onRequest = handler(name, exports, "onRequest");
      this.onResponse = handler(name, exports, "onResponse");
      if (onRequest == null && onResponse == null) {
        throw new IllegalArgumentException(
            name + ": exports neither onRequest(ctx) nor onResponse(ctx) (an ES module: export function onRequest...)");
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static Value handler(String name, Value exports, String export) {
    Value value = exports.getMember(export);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.canExecute()) {
      throw new IllegalArgumentException(name + ": export " + export + " must be a function");
    }
    return value;
  }

  @Override
  protected boolean handles(Phase phase) {
    return (phase == Phase.REQUEST ? onRequest : onResponse) != null;
  }

  @Override
  protected void call(Phase phase) {
    Value handler = phase == Phase.REQUEST ? onRequest : onResponse;
    boolean nested = guard.running(); // a call from inside a call runs under the outer call's deadline
    if (!nested) {
      guard.start(budgetNanos);
    }
    try {
      handler.executeVoid(ctx);
    } catch (PolyglotException e) {
      throw new ScriptFailure(JsErrors.describe(settings().scriptName(), e, budgetText), e);
    } finally {
      if (!nested) {
        guard.stop();
      }
    }
  }

  @Override
  public void close() {
    Watchdog.SHARED.unwatch(guard);
    try {
      context.close(true);
    } catch (RuntimeException e) {
      // Already closed, or closing failed: nothing more to free, and close must not throw.
    }
  }
}
