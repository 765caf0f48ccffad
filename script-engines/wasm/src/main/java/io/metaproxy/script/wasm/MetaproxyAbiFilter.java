package io.metaproxy.script.wasm;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.metaproxy.api.MessageType;
import io.metaproxy.script.ScriptContext;
import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptSettings;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A module written against metaproxy's own ABI: it imports host functions from module {@value #MODULE} and exports
 * {@code on_request} and/or {@code on_response}, each {@code () -> i32} returning {@value #CONTINUE} (go on) or
 * {@value #STOP} (the chain ends; the module has called {@code reply}).
 *
 * <p>Strings cross as UTF-8 {@code (ptr, len)} pairs in the module's memory. The host never allocates in the guest:
 * functions that return a string take a buffer the guest owns, {@code (buf, cap)}, and return the value's length in
 * bytes, or -1 when there is no value. The value is written only when it fits ({@code length <= cap}); a guest that
 * gets a larger length calls again with a larger buffer. So a module needs no allocator, and a call makes no call
 * back into the guest. The full table is {@link #SIGNATURES} and {@code sample-filters/wasm/README.md}.
 *
 * <p>{@code resume} forwards to {@code FilterContext.resume()} like every engine's, though a WASM call cannot pause:
 * it runs to its end on the event loop, so the filter itself always returns continue or stop.
 */
final class MetaproxyAbiFilter extends WasmFilter {
  /** The import module name. */
  static final String MODULE = "metaproxy";

  static final int CONTINUE = 0;
  static final int STOP = 1;

  /** Log levels as {@code log} takes them; anything else logs at info. */
  static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error");

  /** Every host function of the ABI, by name, in the order of FilterContext (plus {@code fail}). */
  static final Map<String, FunctionType> SIGNATURES = signatures();

  /** {@code message_type()} results: the MessageType's ordinal, by the lower-case name ScriptContext gives. */
  private static final Map<String, Integer> MESSAGE_TYPE_CODES = messageTypeCodes();

  private static final int SMALL_STRING = 64;

  /** The host functions that run in the guard's host state (see {@link #bind}). */
  private static final Set<String> GUARDED = Set.of("log", "reply", "resume");

  private final GuestExport[] handlers = new GuestExport[2];
  private final boolean[] returnsStatus = new boolean[2];
  private final boolean[] exported = new boolean[2];
  private final Map<String, HostFunction> hostFunctions;

  /** Whether the current call has replied: a handler that returns STOP must have. */
  private boolean replied;

  MetaproxyAbiFilter(ScriptSettings settings, WasmProgram program) {
    super(settings, program);
    String name = settings.scriptName();
    for (Phase phase : Phase.values()) {
      String export = phase == Phase.REQUEST ? "on_request" : "on_response";
      FunctionType type = program.exportedFunctions().get(export);
      if (type == null) {
        continue;
      }
      boolean statusOrNothing =
          type.returns().isEmpty() || (type.returns().size() == 1 && type.returns().get(0).equals(I32));
      if (!type.params().isEmpty() || !statusOrNothing) {
        throw new IllegalArgumentException(
            ScriptFailure.format(name, 0, export + " must be () -> i32 (or () -> nothing), not " + type));
      }
      returnsStatus[phase.ordinal()] = type.returns().size() == 1;
      exported[phase.ordinal()] = true;
    }
    if (!exported[0] && !exported[1]) {
      throw new IllegalArgumentException(
          ScriptFailure.format(name, 0, "exports neither on_request nor on_response (metaproxy ABI)"));
    }
    this.hostFunctions = bind();
    start();
  }

  @Override
  protected boolean handles(Phase phase) {
    return exported[phase.ordinal()];
  }

  @Override
  protected void initialize(Instance created) {
    // A reactor built with WASI (clang, TinyGo) expects its _initialize before any other export.
    if (program.exportedFunctions().containsKey("_initialize")) {
      created.export("_initialize").apply();
    }
    handlers[0] = handles(Phase.REQUEST) ? GuestExport.of(created, "on_request") : null;
    handlers[1] = handles(Phase.RESPONSE) ? GuestExport.of(created, "on_response") : null;
  }

  @Override
  protected void invoke(Phase phase, Instance current) {
    replied = false;
    long[] returned = handlers[phase.ordinal()].call();
    int status = returnsStatus[phase.ordinal()] ? (int) returned[0] : CONTINUE;
    if (status == STOP && !replied) {
      throw new ScriptFailure(
          ScriptFailure.format(settings().scriptName(), 0, "returned 1 (stop) without calling reply"));
    }
    if (status != CONTINUE && status != STOP) {
      throw new ScriptFailure(
          ScriptFailure.format(
              settings().scriptName(), 0, "returned " + status + "; expected 0 (continue) or 1 (stop)"));
    }
  }

  @Override
  protected Map<String, HostFunction> hostFunctions() {
    return hostFunctions;
  }

  @Override
  protected HostFunction missingImport(String module, String name, FunctionType type) {
    return null; // our own ABI: an import we do not have is a mistake worth reporting at load
  }

  // ---- the host functions -------------------------------------------------------------------------------------------
  // All of them only compute (WasmFilter#computeOnlyHost) except those in GUARDED: log reaches the logging framework,
  // and reply and resume hand control to the host's exchange, which may call filters again (a nested call expects the
  // host state); they run in the guard's host state (WasmFilter#host).

  private Map<String, HostFunction> bind() {
    ScriptContext ctx = scriptContext();
    Map<String, WasmFunctionHandle> handles = new LinkedHashMap<>();
    // read
    handles.put("get", (in, a) -> out(in, "get", 2, ctx.get(key(in, a[0], a[1], "get", 1)), a[2], a[3]));
    handles.put("keys", (in, a) -> out(in, "keys", 1, keys(ctx.keys()), a[0], a[1]));
    handles.put("message_type", (in, a) -> result(messageType(ctx)));
    handles.put("request_id", (in, a) -> result(ctx.requestId()));
    handles.put("operation", (in, a) -> out(in, "operation", 1, ctx.operation(), a[0], a[1]));
    handles.put("peer_address", (in, a) -> out(in, "peer_address", 1, ctx.peerAddress(), a[0], a[1]));
    handles.put("listener", (in, a) -> out(in, "listener", 1, ctx.listener(), a[0], a[1]));
    handles.put("route", (in, a) -> out(in, "route", 1, ctx.route(), a[0], a[1]));
    handles.put("cluster", (in, a) -> out(in, "cluster", 1, ctx.cluster(), a[0], a[1]));
    // write
    handles.put(
        "set",
        (in, a) -> {
          ctx.set(key(in, a[0], a[1], "set", 1), str(in, a[2], a[3], "set", 2));
          return null;
        });
    handles.put(
        "remove",
        (in, a) -> {
          ctx.remove(key(in, a[0], a[1], "remove", 1));
          return null;
        });
    handles.put(
        "reply",
        (in, a) -> {
          ctx.reply(str(in, a[0], a[1], "reply", 1), str(in, a[2], a[3], "reply", 2));
          replied = true;
          return result(STOP);
        });
    handles.put(
        "route_to",
        (in, a) -> {
          ctx.routeTo(str(in, a[0], a[1], "route_to", 1));
          return null;
        });
    handles.put(
        "resume",
        (in, a) -> {
          ctx.resume();
          return null;
        });
    // per request
    handles.put("state", (in, a) -> out(in, "state", 2, ctx.state(key(in, a[0], a[1], "state", 1)), a[2], a[3]));
    handles.put(
        "set_state",
        (in, a) -> {
          ctx.setState(key(in, a[0], a[1], "set_state", 1), str(in, a[2], a[3], "set_state", 2));
          return null;
        });
    // utilities
    handles.put(
        "log",
        (in, a) -> {
          int level = (int) a[0];
          ctx.log(level >= 0 && level < LOG_LEVELS.size() ? LOG_LEVELS.get(level) : "info", str(in, a[1], a[2], "log", 2));
          return null;
        });
    handles.put(
        "count",
        (in, a) -> {
          ctx.count(str(in, a[0], a[1], "count", 1), a[2]);
          return null;
        });
    handles.put("now", (in, a) -> result(ctx.now()));
    handles.put(
        "fail",
        (in, a) -> {
          throw new ScriptFailure(
              ScriptFailure.format(settings().scriptName(), (int) a[2], str(in, a[0], a[1], "fail", 1)));
        });

    Map<String, HostFunction> functions = new LinkedHashMap<>();
    SIGNATURES.forEach(
        (name, type) ->
            functions.put(
                MODULE + "." + name,
                GUARDED.contains(name)
                    ? host(MODULE, name, type, handles.get(name))
                    : computeOnlyHost(MODULE, name, type, handles.get(name))));
    return functions;
  }

  private String str(Instance in, long ptr, long len, String operation, int position) {
    return strings.read(in.memory(), ptr, len, operation, position);
  }

  /** A key argument: interned (see {@link GuestStrings#readKey}). */
  private String key(Instance in, long ptr, long len, String operation, int position) {
    return strings.readKey(in.memory(), ptr, len, operation, position);
  }

  /** Writes {@code value} to the guest's buffer if it fits; returns its length, or -1 for no value. */
  private long[] out(Instance in, String operation, int position, String value, long buf, long cap) {
    if (value == null) {
      return result(-1);
    }
    int length = GuestStrings.utf8Length(value);
    if (length <= GuestMemory.unsigned(cap)) {
      strings.writeUtf8(in.memory(), buf, value, length, operation, position);
    }
    return result(length);
  }

  /** Keys as the ABI returns them: each followed by a NUL byte. */
  private static String keys(List<String> keys) {
    StringBuilder joined = new StringBuilder(keys.size() * SMALL_STRING / 4);
    for (String key : keys) {
      joined.append(key).append('\0');
    }
    return joined.toString();
  }

  private static int messageType(ScriptContext ctx) {
    Integer code = MESSAGE_TYPE_CODES.get(ctx.messageType());
    return code == null ? -1 : code;
  }

  private static Map<String, FunctionType> signatures() {
    Map<String, FunctionType> s = new LinkedHashMap<>();
    s.put("get", type(List.of(I32, I32, I32, I32), I32));
    s.put("keys", type(List.of(I32, I32), I32));
    s.put("message_type", type(List.of(), I32));
    s.put("request_id", type(List.of(), I64));
    s.put("operation", type(List.of(I32, I32), I32));
    s.put("peer_address", type(List.of(I32, I32), I32));
    s.put("listener", type(List.of(I32, I32), I32));
    s.put("route", type(List.of(I32, I32), I32));
    s.put("cluster", type(List.of(I32, I32), I32));
    s.put("set", type(List.of(I32, I32, I32, I32), null));
    s.put("remove", type(List.of(I32, I32), null));
    s.put("reply", type(List.of(I32, I32, I32, I32), I32));
    s.put("route_to", type(List.of(I32, I32), null));
    s.put("resume", type(List.of(), null));
    s.put("state", type(List.of(I32, I32, I32, I32), I32));
    s.put("set_state", type(List.of(I32, I32, I32, I32), null));
    s.put("log", type(List.of(I32, I32, I32), null));
    s.put("count", type(List.of(I32, I32, I64), null));
    s.put("now", type(List.of(), I64));
    s.put("fail", type(List.of(I32, I32, I32), null));
    return Collections.unmodifiableMap(s);
  }

  private static Map<String, Integer> messageTypeCodes() {
    Map<String, Integer> codes = new HashMap<>();
    for (MessageType type : MessageType.values()) {
      codes.put(type.name().toLowerCase(Locale.ROOT), type.ordinal());
    }
    return Map.copyOf(codes);
  }

  private static FunctionType type(List<ValType> params, ValType result) {
    return FunctionType.of(params, result == null ? List.of() : List.of(result));
  }
}
