package io.metaproxy.script.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;

/**
 * One exported function of a module instance, called with its arguments in arrays this object owns and reuses call
 * after call, instead of the new array that every varargs call of {@link ExportFunction#apply} makes. A proxy-wasm
 * request enters the guest seven times (context create, request headers, two allocations, done, log, delete), so on
 * that path the arrays are seven allocations per request saved.
 *
 * <p>Reuse is safe even when a call re-enters the same export (a host function that calls the guest's allocator,
 * which calls a host function, ...): Chicory reads the arguments into the callee's locals (compiled code) or its
 * stack frame (the interpreter) before the callee's body runs, so no array is read after the call has started. The
 * results are Chicory's own array, as {@link ExportFunction#apply} returns them.
 *
 * <p>Not thread-safe: one filter, one event loop.
 */
final class GuestExport {
  private static final long[] NO_ARGUMENTS = new long[0];

  private final ExportFunction function;
  private final long[] one = new long[1];
  private final long[] two = new long[2];
  private final long[] three = new long[3];

  private GuestExport(ExportFunction function) {
    this.function = function;
  }

  /** The export {@code name} of {@code instance}; the caller has checked that the module exports it. */
  static GuestExport of(Instance instance, String name) {
    return new GuestExport(instance.export(name));
  }

  long[] call() {
    return function.apply(NO_ARGUMENTS);
  }

  long[] call(long a) {
    long[] arguments = one;
    arguments[0] = a;
    return function.apply(arguments);
  }

  long[] call(long a, long b) {
    long[] arguments = two;
    arguments[0] = a;
    arguments[1] = b;
    return function.apply(arguments);
  }

  long[] call(long a, long b, long c) {
    long[] arguments = three;
    arguments[0] = a;
    arguments[1] = b;
    arguments[2] = c;
    return function.apply(arguments);
  }
}
