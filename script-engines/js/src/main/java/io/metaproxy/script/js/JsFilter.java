package io.metaproxy.script.js;

import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptFilter;
import io.metaproxy.script.ScriptSettings;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * A JS module as a filter: one sandboxed Context on the shared Engine, used by one event loop.
 *
 * <p>Building it evaluates the module (under the load budget) and takes its exports {@code onRequest} and {@code
 * onResponse}; at least one must be a function. Each message then calls the export with the Context's one {@code
 * ctx}, watched by the {@link Watchdog}. Return values are ignored, except that a Promise (an async handler) must have
 * settled by the end of the call, and a rejected one is a failure.
 *
 * <p>Each export is called through {@link #CALL_ADAPTER}, a JS function that looks at the return value itself and
 * hands only a thenable back to Java: a call then returns nothing across the polyglot boundary ({@code executeVoid}),
 * where looking at a returned {@code undefined} from Java was a second polyglot call per message, a fifth of the
 * call's cost (bench/reports/2026-12-04-frame-run.txt).
 */
final class JsFilter extends ScriptFilter {
  /**
   * {@code (handler, report) => ctx => ...}: calls {@code handler(ctx)} and passes what it returned to {@code report}
   * when that is a thenable (an object or function with a callable {@code then}), as {@code await} would treat it.
   * Its own source name keeps its frame out of error locations ({@link JsErrors} reports the script's frames only).
   */
  private static final Source CALL_ADAPTER =
      Source.newBuilder(
              "js",
              "(handler, report) => (ctx) => {\n"
                  + "  const result = handler(ctx);\n"
                  + "  if (result !== null && (typeof result === 'object' || typeof result === 'function')\n"
                  + "      && typeof result.then === 'function') {\n"
                  + "    report(result);\n"
                  + "  }\n"
                  + "};\n",
              "metaproxy:js-handler-call")
          .buildLiteral();

  private final Context context;
  private final Watchdog.Guard guard;
  private final long budgetNanos;
  private final String budgetText;
  private final Value ctx;
  private final Value onRequest;
  private final Value onResponse;
  /** The thenable the call in progress returned, set by the adapter's {@code report}; null otherwise. */
  private Value returnedThenable;

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
      Value adapter = context.eval(CALL_ADAPTER);
      ProxyExecutable report = arguments -> {
        returnedThenable = arguments[0];
        return null;
      };
      this.onRequest = adapted(adapter, handler(name, exports, "onRequest"), report);
      this.onResponse = adapted(adapter, handler(name, exports, "onResponse"), report);
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

  private static Value adapted(Value adapter, Value handler, ProxyExecutable report) {
    return handler == null ? null : adapter.execute(handler, report);
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
      Value thenable = returnedThenable;
      if (thenable != null) {
        returnedThenable = null; // before settling it: a nested call's report must not be taken for this one's
        awaitSettled(phase, thenable);
      }
    } catch (PolyglotException e) {
      throw new ScriptFailure(JsErrors.describe(settings().scriptName(), e, budgetText), e);
    } finally {
      if (!nested) {
        guard.stop();
      }
    }
  }

  /**
   * An async handler returns a Promise; GraalJS runs the jobs it queued before the call returns to Java (scripts
   * have no timers or I/O to wait for), so by now it has settled. A rejection is a failure like a throw, not a
   * silently dropped error.
   */
  private void awaitSettled(Phase phase, Value result) {
    Value[] rejection = new Value[1];
    boolean[] settled = new boolean[1];
    ProxyExecutable onFulfilled = arguments -> settled[0] = true;
    ProxyExecutable onRejected =
        arguments -> {
          settled[0] = true;
          rejection[0] = arguments.length > 0 ? arguments[0] : null;
          return null;
        };
    result.invokeMember("then", onFulfilled, onRejected);
    String name = settings().scriptName();
    if (!settled[0]) {
      throw new ScriptFailure(
          ScriptFailure.format(name, 0, handlerName(phase) + " returned a Promise that did not settle during the call"));
    }
    if (rejection[0] != null) {
      if (rejection[0].isException()) {
        rejection[0].throwException(); // a PolyglotException with the place it was thrown, described by call()
      }
      Value reason = rejection[0];
      throw new ScriptFailure(ScriptFailure.format(name, 0, "rejected: " + (reason.isString() ? reason.asString() : reason)));
    }
  }

  private static String handlerName(Phase phase) {
    return phase == Phase.REQUEST ? "onRequest" : "onResponse";
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
