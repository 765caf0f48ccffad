package io.metaproxy.script.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptFilter;
import io.metaproxy.script.ScriptSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What both ABIs share: one module instance per filter (so per event loop, no locks), calls under the budget, and the
 * failure path.
 *
 * <p><b>Instances.</b> The constructor instantiates the module (running its start function and the ABI's set-up under
 * {@link ScriptSettings#loadBudget()}), so a module that cannot link or start fails the snapshot being built. A call
 * that fails in any way (trap, budget, bad host-call argument) discards the instance, since the guest may have been
 * stopped half-way through changing its own memory; the next call instantiates a fresh one. Module state (globals,
 * memory) therefore lives as long as the instance: until the next failure or reload.
 *
 * <p><b>Budget.</b> Every call into the guest runs under a {@link CallGuard} watched by the shared {@link Watchdog};
 * every host function runs in the guard's host state. See {@link CallGuard} for why that makes interrupting an event
 * loop thread safe.
 *
 * <p><b>WASI.</b> Modules that import WASI ({@code wasi_snapshot_preview1}, or AssemblyScript's older {@code
 * wasi_unstable}) get Chicory's implementation with no preopened directories, no environment and no arguments;
 * stdout and stderr become log lines. {@code proc_exit} ends the call as a failure.
 */
abstract class WasmFilter extends ScriptFilter {
  /** Linear memory one instance may have: 64 MiB. {@code memory.grow} past it fails (returns -1) in the guest. */
  static final int MAX_MEMORY_PAGES = 1024;

  private static final System.Logger LOG = System.getLogger("io.metaproxy.script.wasm");
  private static final String WASI = "wasi_snapshot_preview1";
  private static final String WASI_UNSTABLE = "wasi_unstable";
  private static final int MAX_LOG_LINE = 4096;

  protected final WasmProgram program;
  protected final CallGuard guard = new CallGuard();
  /** The strings this filter's host functions read from the guest, cached. */
  protected final GuestStrings strings = new GuestStrings();
  private final Watchdog.Registration registration;
  private final long budgetNanos;
  private final long loadBudgetNanos;
  private final MemoryLimits memoryLimits;
  private final WasiPreview1 wasi;

  private ImportValues linkedImports;
  private Instance instance;
  /** What a host function returns: one value, in an array reused call after call (see {@link #result}). */
  private final long[] result = new long[1];
  private int callDepth;
  /** The last error the guest logged in this call, quoted when the call then fails (AssemblyScript's abort does so). */
  private String lastGuestError;

  /**
   * @throws IllegalArgumentException naming the script when the module's imports cannot be satisfied or it fails to
   *     start
   */
  WasmFilter(ScriptSettings settings, WasmProgram program) {
    super(settings);
    this.program = program;
    this.budgetNanos = settings.budget().toNanos();
    this.loadBudgetNanos = settings.loadBudget().toNanos();
    this.memoryLimits = memoryLimits(program);
    boolean needsWasi =
        program.importedFunctions().keySet().stream()
            .anyMatch(name -> name.startsWith(WASI + ".") || name.startsWith(WASI_UNSTABLE + "."));
    this.wasi = needsWasi ? newWasi() : null;
    this.registration = Watchdog.shared().register(this, guard, budgetNanos);
  }

  /**
   * Links and starts the first instance. Subclasses call it at the end of their constructor, once their host functions
   * can be built.
   */
  protected final void start() {
    try {
      linkedImports = link();
      instance = instantiate();
    } catch (ScriptFailure failure) {
      registration.close();
      throw new IllegalArgumentException(failure.getMessage(), failure);
    } catch (IllegalArgumentException e) {
      registration.close();
      throw e;
    }
  }

  // ---- what an ABI provides -------------------------------------------------------------------------------------

  /** The ABI's host functions by {@code module.name}; each handle already runs under the guard (see {@link #host}). */
  protected abstract Map<String, HostFunction> hostFunctions();

  /**
   * A stand-in for an import the ABI does not provide, or null to reject the module. proxy-wasm links unknown {@code
   * env} functions to stubs that answer "unimplemented"; metaproxy's own ABI rejects them.
   */
  protected abstract HostFunction missingImport(String module, String name, FunctionType type);

  /** Runs after the instance is built (its start function has run): the ABI's set-up calls, e.g. proxy_on_vm_start. */
  protected abstract void initialize(Instance created);

  /** Calls the guest's handler for {@code phase} on {@code current}; runs under the budget. */
  protected abstract void invoke(Phase phase, Instance current);

  // ---- calls --------------------------------------------------------------------------------------------------------

  @Override
  protected final void call(Phase phase) {
    Instance current = instance();
    lastGuestError = null;
    callDepth++;
    guard.enter(budgetNanos);
    boolean exited = false;
    try {
      invoke(phase, current);
    } catch (RuntimeException | StackOverflowError e) {
      exited = true;
      boolean timedOut = guard.exit();
      discard(current);
      throw failure(e, timedOut);
    } finally {
      if (!exited) {
        guard.exit();
      }
      callDepth--;
    }
  }

  /** The instance for the next call, instantiating a fresh one after a failure. */
  protected final Instance instance() {
    Instance current = instance;
    if (current == null) {
      current = instantiate();
      instance = current;
    }
    return current;
  }

  /** Whether a guest call is running on this filter (host functions may then use the script context). */
  protected final boolean inCall() {
    return callDepth > 0;
  }

  private void discard(Instance failed) {
    if (instance == failed) {
      instance = null;
    }
  }

  private Instance instantiate() {
    guard.enter(loadBudgetNanos);
    boolean exited = false;
    try {
      // ByteArrayMemory rather than Chicory's default ByteBufferMemory: its loads and stores (the guest's, and the
      // host functions') are plain array accesses, without a ByteBuffer's position and scoped-access checks, and they
      // leave the JDK's ByteBuffer code to the host's (Netty's direct) buffers, whose JIT profile they would blur.
      Instance.Builder builder =
          Instance.builder(program.module())
              .withImportValues(linkedImports)
              .withMachineFactory(program.machineFactory())
              .withMemoryFactory(ByteArrayMemory::new);
      if (memoryLimits != null) {
        builder.withMemoryLimits(memoryLimits);
      }
      Instance created = builder.build();
      initialize(created);
      return created;
    } catch (RuntimeException | StackOverflowError e) {
      exited = true;
      throw failure(e, guard.exit());
    } finally {
      if (!exited) {
        guard.exit();
      }
    }
  }

  @Override
  public void close() {
    // Guest code is not run here: close() may come from any thread, and the instance owns nothing outside the heap.
    registration.close();
    instance = null;
    if (wasi != null) {
      wasi.close();
    }
  }

  // ---- failures -----------------------------------------------------------------------------------------------------

  /** A failure of the guest or of a host call, as the message the client and the log see. */
  protected final ScriptFailure failure(Throwable thrown, boolean timedOut) {
    String name = settings().scriptName();
    if (timedOut || thrown instanceof CallGuard.BudgetExceeded) {
      return new ScriptFailure(
          ScriptFailure.format(name, 0, "exceeded its budget of " + ScriptSettings.describe(settings().budget())));
    }
    if (thrown instanceof ScriptFailure failure) {
      return failure;
    }
    // Chicory wraps what happens in a start function; report what actually happened
    while (thrown instanceof ChicoryException && !(thrown instanceof TrapException) && thrown.getCause() != null
        && thrown.getCause() != thrown) {
      thrown = thrown.getCause();
      if (thrown instanceof ScriptFailure failure) {
        return failure;
      }
      if (thrown instanceof CallGuard.BudgetExceeded) {
        return failure(thrown, true);
      }
    }
    String reason;
    if (thrown instanceof WasiExitException exit) {
      reason = "exited with code " + exit.exitCode() + (lastGuestError == null ? "" : " after logging: " + lastGuestError);
    } else if (thrown instanceof ChicoryInterruptedException) {
      reason = "interrupted";
    } else if (thrown instanceof TrapException
        || thrown instanceof WasmRuntimeException
        || String.valueOf(thrown.getMessage()).startsWith("Trapped on")) {
      reason = "wasm trap: " + thrown.getMessage() + (lastGuestError == null ? "" : " after logging: " + lastGuestError);
    } else if (thrown instanceof StackOverflowError) {
      reason = "call stack exhausted (recursion too deep)";
    } else if (thrown instanceof IllegalArgumentException || thrown instanceof IllegalStateException) {
      reason = thrown.getMessage(); // a bad argument to a host call, worded by ScriptContext
    } else if (thrown instanceof ChicoryException) {
      reason = "wasm error: " + thrown.getMessage();
    } else {
      reason = String.valueOf(thrown);
    }
    return new ScriptFailure(ScriptFailure.format(name, 0, reason), thrown);
  }

  /** Remembers what the guest logged at error level, to quote it if the call then fails. */
  protected final void guestLoggedError(String message) {
    lastGuestError = message;
  }

  // ---- host functions -----------------------------------------------------------------------------------------------

  /**
   * The result of a host function that returns one value. The array is reused: Chicory's compiled code (and its
   * interpreter) takes the value out as soon as the host function returns, before any other host function can run.
   * A host function that runs guest code (the proxy-wasm allocator) sets its result after that code, so a nested host
   * call cannot overwrite it.
   */
  protected final long[] result(long value) {
    long[] out = result;
    out[0] = value;
    return out;
  }

  /**
   * A host function that may log, do I/O or wait: its {@code handle} runs in the guard's host state, never
   * interrupted, and failing the call when the budget ran out meanwhile. An interrupt must not reach such code (an NIO
   * channel, for one, closes itself when its thread is interrupted), and the guard makes sure none does: a call that
   * the watchdog has stopped fails as it enters the function, before {@code handle} runs.
   */
  protected final HostFunction host(String module, String name, FunctionType type, WasmFunctionHandle handle) {
    return new HostFunction(module, name, type, guarded(handle));
  }

  /**
   * A host function that only computes: it reads and writes the heap and the guest's memory, and neither logs, nor
   * does I/O, nor waits (the ABIs' metadata reads and writes, properties, time). Its {@code handle} runs in the guest
   * state, without the two compare-and-sets per call that {@link #host} costs: the watchdog may interrupt the thread
   * while it runs, which such code never notices, and the guest's next interrupt check (at a function entry or a loop
   * back-edge, including those of guest code the function calls, such as the proxy-wasm allocator) then stops the
   * call as it would have stopped guest code. {@link CallGuard#exit} clears the interrupt either way.
   */
  protected static HostFunction computeOnlyHost(String module, String name, FunctionType type, WasmFunctionHandle handle) {
    return new HostFunction(module, name, type, handle);
  }

  private WasmFunctionHandle guarded(WasmFunctionHandle handle) {
    return (caller, args) -> {
      guard.enterHost();
      try {
        return handle.apply(caller, args);
      } finally {
        guard.exitHost();
      }
    };
  }

  private ImportValues link() {
    Map<String, HostFunction> provided = new LinkedHashMap<>(hostFunctions());
    if (wasi != null) {
      for (HostFunction function : wasi.toHostFunctions()) {
        WasmFunctionHandle handle = guarded(function.handle());
        provided.put(WASI + "." + function.name(), new HostFunction(WASI, function.name(), function.functionType(), handle));
        provided.put(
            WASI_UNSTABLE + "." + function.name(),
            new HostFunction(WASI_UNSTABLE, function.name(), function.functionType(), handle));
      }
    }
    provided.putIfAbsent("env.abort", assemblyScriptAbort());

    List<HostFunction> linked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    program
        .importedFunctions()
        .forEach(
            (qualifiedName, type) -> {
              HostFunction function = provided.get(qualifiedName);
              int dot = qualifiedName.indexOf('.');
              String module = qualifiedName.substring(0, dot);
              String name = qualifiedName.substring(dot + 1);
              if (function == null) {
                function = missingImport(module, name, type);
              }
              if (function == null) {
                problems.add("imports " + qualifiedName + ", which metaproxy does not provide");
              } else if (!function.functionType().equals(type)) {
                problems.add(
                    "imports " + qualifiedName + " as " + type + " but metaproxy provides " + function.functionType());
              } else {
                linked.add(function);
              }
            });
    program.module().importSection().stream()
        .filter(anImport -> !(anImport instanceof FunctionImport))
        .forEach(
            anImport ->
                problems.add(
                    "imports "
                        + (anImport instanceof MemoryImport ? "memory " : "")
                        + WasmProgram.qualifiedName(anImport)
                        + "; only functions can be imported (export the module's own memory)"));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(ScriptFailure.format(settings().scriptName(), 0, String.join("; ", problems)));
    }
    return ImportValues.builder().withFunctions(new ArrayList<>(linked)).build();
  }

  /**
   * AssemblyScript's default {@code abort(message, file, line, column)}: its strings are UTF-16 with their byte length
   * in the 4 bytes before the pointer.
   */
  private HostFunction assemblyScriptAbort() {
    FunctionType type =
        FunctionType.of(
            List.of(
                ValType.I32,
                ValType.I32,
                ValType.I32,
                ValType.I32),
            List.of());
    return host(
        "env",
        "abort",
        type,
        (caller, args) -> {
          String message = assemblyScriptString(caller, args[0]);
          String file = assemblyScriptString(caller, args[1]);
          int line = (int) args[2];
          throw new ScriptFailure(
              ScriptFailure.format(
                  settings().scriptName(),
                  Math.max(line, 0),
                  (message == null ? "abort" : message)
                      + (file == null ? "" : " (" + file + ":" + line + ":" + (int) args[3] + ")")));
        });
  }

  private static String assemblyScriptString(Instance caller, long ptr) {
    long start = GuestMemory.unsigned(ptr);
    long size = (long) caller.memory().pages() * Memory.PAGE_SIZE;
    if (start < 4 || start > size) {
      return null;
    }
    long length = GuestMemory.unsigned(caller.memory().readInt((int) start - 4));
    if (start + length > size || length > 4096) {
      return null;
    }
    return new String(caller.memory().readBytes((int) start, (int) length), StandardCharsets.UTF_16LE);
  }

  // ---- WASI and guest output ----------------------------------------------------------------------------------------

  private WasiPreview1 newWasi() {
    WasiOptions options =
        WasiOptions.builder()
            .withStdout(new GuestOutput("info"))
            .withStderr(new GuestOutput("warn"))
            .build();
    return WasiPreview1.builder().withOptions(options).build();
  }

  /** Logs what the guest wrote to stdout or stderr, a line at a time: to the message's log during a call. */
  protected final void guestLog(String level, String message) {
    if ("error".equals(level)) {
      guestLoggedError(message);
    }
    if (inCall()) {
      scriptContext().log(level, message);
    } else {
      LOG.log(
          switch (level) {
            case "debug" -> System.Logger.Level.DEBUG;
            case "warn" -> System.Logger.Level.WARNING;
            case "error" -> System.Logger.Level.ERROR;
            default -> System.Logger.Level.INFO;
          },
          "{0}: {1}",
          settings().scriptName(),
          message);
    }
  }

  private final class GuestOutput extends OutputStream {
    private final String level;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    GuestOutput(String level) {
      this.level = level;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        flush();
        return;
      }
      line.write(b);
      if (line.size() >= MAX_LOG_LINE) {
        flush();
      }
    }

    @Override
    public void flush() {
      if (line.size() > 0) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        guestLog(level, text);
      }
    }
  }

  private static MemoryLimits memoryLimits(WasmProgram program) {
    var section = program.module().memorySection();
    if (section.isEmpty() || section.get().memoryCount() == 0) {
      return null;
    }
    MemoryLimits declared = section.get().getMemory(0).limits();
    if (declared.initialPages() > MAX_MEMORY_PAGES) {
      throw new IllegalArgumentException(
          ScriptFailure.format(
              program.scriptName(),
              0,
              "needs "
                  + declared.initialPages()
                  + " pages of memory at start; a filter may have at most "
                  + MAX_MEMORY_PAGES
                  + " (64 MiB)"));
    }
    return new MemoryLimits(
        declared.initialPages(), Math.min(declared.maximumPages(), MAX_MEMORY_PAGES), declared.shared());
  }
}
