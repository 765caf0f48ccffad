package io.metaproxy.script.wasm;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.metaproxy.api.ErrorType;
import io.metaproxy.script.ScriptContext;
import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A module written against the proxy-wasm ABI v0.2.x (Envoy's), so that existing HTTP header filters run with RPC
 * metadata as their header map. The module's view:
 *
 * <ul>
 *   <li><b>VM and plugin.</b> When an instance is made: {@code _initialize} (or {@code _start}), then {@code
 *       proxy_on_context_create(1, 0)} for the root context, {@code proxy_on_vm_start(1, 0)} and {@code
 *       proxy_on_configure(1, size)} with the {@code config:} setting as the plugin configuration buffer. Either
 *       returning false fails the filter.
 *   <li><b>Requests.</b> Each request gets a fresh context: {@code proxy_on_context_create(id, 1)}, then {@code
 *       proxy_on_request_headers(id, n, 0)}. Its response gets {@code proxy_on_response_headers} on the same context,
 *       then {@code proxy_on_done}, {@code proxy_on_log} and {@code proxy_on_delete}. (The context id travels in the
 *       request's state; a request that ends on this filter's own reply, or a one-way request, is finished at once.)
 *   <li><b>Header maps.</b> The request headers (map 0) are the request's metadata on the request path; the response
 *       headers (map 2) are the response's on the response path. Reads go through {@code ctx.get/keys}, writes become
 *       the Mutation ({@code ctx.set/remove}). {@code add} of a key that exists appends {@code ",value"} (metadata keys
 *       hold one value). Other maps are empty.
 *   <li><b>Local replies.</b> {@code proxy_send_local_response} becomes {@code ctx.reply}: 400 bad_request, 401/403
 *       unauthorized, 404 route_not_found, 429 over_limit, 503 no_healthy_upstream, 504 timeout, anything else
 *       unspecified; the message is the body, else the details. Extra headers and the gRPC status are ignored.
 *   <li><b>Pausing.</b> Calls are synchronous: a callback that returns a stop action must have sent a local response,
 *       otherwise the call is a script error. {@code proxy_continue_*} are accepted and do nothing.
 *   <li><b>Not implemented</b> (the call returns Unimplemented): timers, HTTP and gRPC calls, shared data and queues,
 *       body buffers, properties other than those of {@link #property}, foreign functions, setting properties,
 *       recording or reading metrics. Any other {@code env.proxy_*} import links to such a stub, so modules load and
 *       fail only if they use it.
 * </ul>
 *
 * <p>Host-to-guest data (header values, pairs, properties, buffers) is allocated in the guest through its {@code
 * proxy_on_memory_allocate} export, or {@code malloc} for older SDKs, as the ABI specifies.
 */
final class ProxyWasmFilter extends WasmFilter {
  static final String MODULE = "env";
  static final int ROOT_CONTEXT_ID = 1;

  // WasmResult
  static final int OK = 0;
  static final int NOT_FOUND = 1;
  static final int BAD_ARGUMENT = 2;
  static final int SERIALIZATION_FAILURE = 3;
  static final int INTERNAL_FAILURE = 10;
  static final int UNIMPLEMENTED = 12;

  // header map and buffer types
  static final int REQUEST_HEADERS = 0;
  static final int RESPONSE_HEADERS = 2;
  static final int VM_CONFIGURATION = 6;
  static final int PLUGIN_CONFIGURATION = 7;

  /** proxy-wasm log levels trace..critical as metaproxy's. */
  static final List<String> LOG_LEVELS = List.of("debug", "debug", "info", "warn", "error", "error");

  /** proxy-wasm's names of its log levels, by number: the values of the {@code log_level:} setting. */
  static final List<String> LOG_LEVEL_NAMES = List.of("trace", "debug", "info", "warn", "error", "critical");

  /** The {@code log_level:} default: info, so SDKs that check skip building trace and debug messages. */
  static final int DEFAULT_LOG_LEVEL = 2;

  /** Contexts of requests still waiting for their response; past this the oldest are finished early. */
  private static final int MAX_LIVE_CONTEXTS = 4096;

  private static final AtomicLong FILTER_IDS = new AtomicLong();

  /** The host functions this filter implements, by name, with their types: the table in the README. */
  static final Map<String, FunctionType> SIGNATURES = signatures();

  private final String filterName;
  private final byte[] pluginConfig;
  private final String rootId;
  private final String stateKey;
  /**
   * The module's log level ({@code log_level:}): what proxy_get_log_level reports, and the lowest level proxy_log
   * passes on. Messages below it are dropped before their text is even read, as a proxy-wasm host does with a level
   * that is not enabled; SDKs that never ask (AssemblyScript's logs several debug lines per request) cost less so.
   */
  private final int logLevel;
  private final Map<String, HostFunction> hostFunctions;
  private final Set<String> warnedUnimplemented = new HashSet<>();

  // per instance
  private GuestExport allocator;
  private GuestExport onContextCreate;
  private GuestExport onRequestHeaders;
  private GuestExport onResponseHeaders;
  private GuestExport onDone;
  private GuestExport onLog;
  private GuestExport onDelete;
  private final LiveContexts liveContexts = new LiveContexts();

  // outlives instances: a context id is never reused by a later instance (until it wraps at 2^31), so a request's id
  // alone tells whether its context belongs to the current instance (it does if it is live)
  private int nextContextId = ROOT_CONTEXT_ID + 1;

  // metrics outlive instances: a fresh instance defines them again and gets the same ids
  private final List<String> metricNames = new ArrayList<>();
  private final Map<String, Integer> metricIds = new HashMap<>();
  private final Map<String, Long> pendingCounts = new LinkedHashMap<>();

  // per call
  private Phase phase;
  private boolean replied;

  ProxyWasmFilter(
      ScriptSettings settings,
      WasmProgram program,
      String filterName,
      String pluginConfig,
      String rootId,
      int logLevel) {
    super(settings, program);
    this.filterName = filterName;
    this.logLevel = logLevel;
    this.pluginConfig = pluginConfig == null ? new byte[0] : pluginConfig.getBytes(StandardCharsets.UTF_8);
    this.rootId = rootId == null ? "" : rootId;
    this.stateKey = "wasm.proxy_wasm_context#" + FILTER_IDS.incrementAndGet();
    if (!program.exportedFunctions().containsKey("proxy_on_context_create")) {
      throw new IllegalArgumentException(
          ScriptFailure.format(settings.scriptName(), 0, "does not export proxy_on_context_create (proxy-wasm ABI)"));
    }
    this.hostFunctions = bind();
    start();
  }

  @Override
  protected boolean handles(Phase phase) {
    return true; // the response path finishes the request's context even when the module has no response callback
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------------

  @Override
  protected void initialize(Instance created) {
    allocator = guestExport(created, "proxy_on_memory_allocate");
    if (allocator == null) {
      allocator = guestExport(created, "malloc");
    }
    onContextCreate = guestExport(created, "proxy_on_context_create");
    onRequestHeaders = guestExport(created, "proxy_on_request_headers");
    onResponseHeaders = guestExport(created, "proxy_on_response_headers");
    onDone = guestExport(created, "proxy_on_done");
    onLog = guestExport(created, "proxy_on_log");
    onDelete = guestExport(created, "proxy_on_delete");
    liveContexts.clear();

    ExportFunction initialize = export(created, "_initialize");
    ExportFunction startFunction = initialize != null ? initialize : export(created, "_start");
    if (startFunction != null) {
      try {
        startFunction.apply();
      } catch (WasiExitException exit) {
        if (exit.exitCode() != 0) {
          throw exit;
        }
      }
    }
    onContextCreate.call(ROOT_CONTEXT_ID, 0);
    ExportFunction vmStart = export(created, "proxy_on_vm_start");
    if (vmStart != null && vmStart.apply(ROOT_CONTEXT_ID, 0)[0] == 0) {
      throw new ScriptFailure(ScriptFailure.format(settings().scriptName(), 0, "proxy_on_vm_start returned false"));
    }
    ExportFunction configure = export(created, "proxy_on_configure");
    if (configure != null && configure.apply(ROOT_CONTEXT_ID, pluginConfig.length)[0] == 0) {
      throw new ScriptFailure(
          ScriptFailure.format(
              settings().scriptName(), 0, "rejected its configuration (proxy_on_configure returned false)"));
    }
  }

  @Override
  protected void invoke(Phase phase, Instance current) {
    this.phase = phase;
    replied = false;
    flushPendingCounts();
    try {
      if (phase == Phase.REQUEST) {
        onRequest();
      } else {
        onResponse();
      }
    } finally {
      this.phase = null;
    }
  }

  private void onRequest() {
    ScriptContext ctx = scriptContext();
    int id = newContext();
    int action = onRequestHeaders == null ? 0 : (int) onRequestHeaders.call(id, ctx.keys().size(), 0)[0];
    if (replied || action != 0 || "oneway".equals(ctx.messageType())) {
      finish(id);
      checkAction("proxy_on_request_headers", action);
      return;
    }
    ctx.setState(stateKey, Integer.toString(id));
  }

  private void onResponse() {
    ScriptContext ctx = scriptContext();
    int id = contextOf(ctx.state(stateKey));
    if (id < 0) {
      id = newContext(); // the request's context is gone (the instance was replaced, or it was evicted)
    }
    int action = onResponseHeaders == null ? 0 : (int) onResponseHeaders.call(id, ctx.keys().size(), 0)[0];
    finish(id);
    checkAction("proxy_on_response_headers", action);
  }

  private int newContext() {
    int id = nextContextId;
    nextContextId = id == Integer.MAX_VALUE ? ROOT_CONTEXT_ID + 1 : id + 1;
    onContextCreate.call(id, ROOT_CONTEXT_ID);
    liveContexts.add(id);
    if (liveContexts.size() > MAX_LIVE_CONTEXTS) {
      finish(liveContexts.oldest());
    }
    return id;
  }

  /** proxy_on_done, proxy_on_log, proxy_on_delete: the context's request is over. */
  private void finish(int id) {
    if (!liveContexts.remove(id)) {
      return;
    }
    if (onDone != null) {
      onDone.call(id);
    }
    if (onLog != null) {
      onLog.call(id);
    }
    if (onDelete != null) {
      onDelete.call(id);
    }
  }

  /** The live context whose id is {@code tag} (what onRequest stored in the request's state), or -1. */
  private int contextOf(String tag) {
    int id = parseContextId(tag);
    return id > 0 && liveContexts.contains(id) ? id : -1;
  }

  /**
   * The positive id that {@link Integer#toString} wrote as {@code tag}, or -1 for null or anything else. A loop over
   * the digits rather than {@link Integer#parseInt}, which showed in profiles of every response: this filter wrote
   * the text itself, so it needs no sign, radix or overflow handling beyond a length check.
   */
  static int parseContextId(String tag) {
    if (tag == null || tag.isEmpty() || tag.length() > 10) {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < tag.length(); i++) {
      int digit = tag.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      id = id * 10 + digit;
    }
    return id <= Integer.MAX_VALUE ? (int) id : -1;
  }

  private void checkAction(String callback, int action) {
    if (action == 0 || action == 2 || replied) {
      return; // Continue, ContinueAndEndStream, or stopped with a local response
    }
    throw new ScriptFailure(
        ScriptFailure.format(
            settings().scriptName(),
            0,
            callback
                + " returned "
                + action
                + " (stop) without proxy_send_local_response; metaproxy runs proxy-wasm calls synchronously and"
                + " cannot pause a message"));
  }

  private ExportFunction export(Instance instance, String name) {
    return program.exportedFunctions().containsKey(name) ? instance.export(name) : null;
  }

  /** As {@link #export}, for the exports called on every message. */
  private GuestExport guestExport(Instance instance, String name) {
    return program.exportedFunctions().containsKey(name) ? GuestExport.of(instance, name) : null;
  }

  // ---- host functions -----------------------------------------------------------------------------------------------

  @Override
  protected Map<String, HostFunction> hostFunctions() {
    return hostFunctions;
  }

  @Override
  protected HostFunction missingImport(String module, String name, FunctionType type) {
    if (!MODULE.equals(module) || !name.startsWith("proxy_")) {
      return null;
    }
    return host(module, name, type, (in, args) -> unimplemented(name, type));
  }

  private long[] unimplemented(String name, FunctionType type) {
    if (warnedUnimplemented.add(name)) {
      guestLog("warn", "proxy-wasm host function " + name + " is not implemented by metaproxy; it returns Unimplemented");
    }
    if (type.returns().isEmpty()) {
      return null;
    }
    long[] results = new long[type.returns().size()];
    if (type.returns().get(0).equals(I32)) {
      results[0] = UNIMPLEMENTED;
    }
    return results;
  }

  private Map<String, HostFunction> bind() {
    Map<String, WasmFunctionHandle> h = new LinkedHashMap<>();
    h.put(
        "proxy_log",
        (in, a) -> {
          int level = (int) a[0];
          if (level >= 0 && level < logLevel) {
            // not enabled: the argument is still checked (cheap, and a bad one fails alike at every level)
            GuestMemory.checkString(in.memory(), a[1], a[2], "proxy_log", 2);
            return status(OK);
          }
          String message = strings.read(in.memory(), a[1], a[2], "proxy_log", 2);
          guestLog(level >= 0 && level < LOG_LEVELS.size() ? LOG_LEVELS.get(level) : "info", message);
          return status(OK);
        });
    h.put(
        "proxy_get_log_level",
        (in, a) -> {
          GuestMemory.writeU32(in.memory(), a[0], logLevel, "proxy_get_log_level", 1);
          return status(OK);
        });
    h.put(
        "proxy_get_current_time_nanoseconds",
        (in, a) -> {
          long millis = inCall() ? scriptContext().now() : System.currentTimeMillis();
          GuestMemory.writeU64(in.memory(), a[0], millis * 1_000_000L, "proxy_get_current_time_nanoseconds", 1);
          return status(OK);
        });
    h.put(
        "proxy_get_property",
        (in, a) -> {
          byte[] path = GuestMemory.bytes(in.memory(), a[0], a[1], "proxy_get_property", 1);
          String value = property(path);
          return value == null ? status(NOT_FOUND) : returnString(in, value, a[2], a[3]);
        });
    h.put(
        "proxy_get_buffer_bytes",
        (in, a) -> {
          byte[] buffer = buffer((int) a[0]);
          if (buffer == null) {
            return status(NOT_FOUND);
          }
          int start = (int) Math.min(GuestMemory.unsigned(a[1]), buffer.length);
          int end = (int) Math.min(buffer.length, start + GuestMemory.unsigned(a[2]));
          return returnBytes(in, Arrays.copyOfRange(buffer, start, end), a[3], a[4]);
        });
    h.put(
        "proxy_get_buffer_status",
        (in, a) -> {
          byte[] buffer = buffer((int) a[0]);
          if (buffer == null) {
            return status(NOT_FOUND);
          }
          GuestMemory.writeU32(in.memory(), a[1], buffer.length, "proxy_get_buffer_status", 2);
          GuestMemory.writeU32(in.memory(), a[2], 0, "proxy_get_buffer_status", 3);
          return status(OK);
        });
    h.put(
        "proxy_get_header_map_pairs",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          return returnBytes(in, ctx == null ? serializePairs(List.of(), List.of()) : pairsOf(ctx), a[1], a[2]);
        });
    h.put(
        "proxy_set_header_map_pairs",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          if (ctx == null) {
            return status(BAD_ARGUMENT);
          }
          Map<String, String> pairs = deserializePairs(GuestMemory.bytes(in.memory(), a[1], a[2], "proxy_set_header_map_pairs", 2));
          if (pairs == null) {
            return status(SERIALIZATION_FAILURE);
          }
          for (String key : ctx.keys()) {
            if (!pairs.containsKey(key)) {
              ctx.remove(key);
            }
          }
          pairs.forEach(ctx::set);
          return status(OK);
        });
    h.put(
        "proxy_get_header_map_size",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          int size = ctx == null ? 4 : pairsOf(ctx).length;
          GuestMemory.writeU32(in.memory(), a[1], size, "proxy_get_header_map_size", 2);
          return status(OK);
        });
    h.put(
        "proxy_get_header_map_value",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          String key = strings.readKey(in.memory(), a[1], a[2], "proxy_get_header_map_value", 2);
          String value = ctx == null ? null : ctx.get(key);
          return value == null ? status(NOT_FOUND) : returnString(in, value, a[3], a[4]);
        });
    h.put(
        "proxy_add_header_map_value",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          if (ctx == null) {
            return status(BAD_ARGUMENT);
          }
          String key = strings.readKey(in.memory(), a[1], a[2], "proxy_add_header_map_value", 2);
          String value = strings.read(in.memory(), a[3], a[4], "proxy_add_header_map_value", 3);
          String existing = ctx.get(key);
          ctx.set(key, existing == null ? value : existing + "," + value);
          return status(OK);
        });
    h.put(
        "proxy_replace_header_map_value",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          if (ctx == null) {
            return status(BAD_ARGUMENT);
          }
          ctx.set(
              strings.readKey(in.memory(), a[1], a[2], "proxy_replace_header_map_value", 2),
              strings.read(in.memory(), a[3], a[4], "proxy_replace_header_map_value", 3));
          return status(OK);
        });
    h.put(
        "proxy_remove_header_map_value",
        (in, a) -> {
          ScriptContext ctx = headerMap((int) a[0]);
          if (ctx == null) {
            return status(BAD_ARGUMENT);
          }
          ctx.remove(strings.readKey(in.memory(), a[1], a[2], "proxy_remove_header_map_value", 2));
          return status(OK);
        });
    h.put(
        "proxy_send_local_response",
        (in, a) -> {
          if (phase == null || replied) {
            return status(BAD_ARGUMENT);
          }
          int code = (int) a[0];
          String details = strings.read(in.memory(), a[1], a[2], "proxy_send_local_response", 2);
          String body = strings.read(in.memory(), a[3], a[4], "proxy_send_local_response", 3);
          String message = !body.isEmpty() ? body : !details.isEmpty() ? details : "local response " + code;
          scriptContext().reply(errorType(code).scriptName(), message);
          replied = true;
          return status(OK);
        });
    h.put(
        "proxy_define_metric",
        (in, a) -> {
          String name = strings.read(in.memory(), a[1], a[2], "proxy_define_metric", 2);
          Integer id = metricIds.get(name);
          if (id == null) {
            metricNames.add(name);
            id = metricNames.size();
            metricIds.put(name, id);
          }
          GuestMemory.writeU32(in.memory(), a[3], id, "proxy_define_metric", 3);
          return status(OK);
        });
    h.put(
        "proxy_increment_metric",
        (in, a) -> {
          int id = (int) a[0];
          if (id < 1 || id > metricNames.size()) {
            return status(NOT_FOUND);
          }
          String name = metricNames.get(id - 1);
          if (inCall()) {
            scriptContext().count(name, a[1]);
          } else {
            pendingCounts.merge(name, a[1], Long::sum); // counted with the next message: counters need its context
          }
          return status(OK);
        });
    h.put(
        "proxy_set_effective_context",
        (in, a) -> {
          int id = (int) a[0];
          return status(id == ROOT_CONTEXT_ID || liveContexts.contains(id) ? OK : BAD_ARGUMENT);
        });
    h.put("proxy_done", (in, a) -> status(OK));
    h.put("proxy_continue_stream", (in, a) -> status(OK));
    h.put("proxy_continue_request", (in, a) -> status(OK));
    h.put("proxy_continue_response", (in, a) -> status(OK));

    Map<String, HostFunction> functions = new LinkedHashMap<>();
    // proxy_log reaches the logging framework, and proxy_send_local_response hands control to the host's exchange
    // (which may call filters again): those two run in the guard's host state (WasmFilter#host); every other
    // function only computes (WasmFilter#computeOnlyHost).
    SIGNATURES.forEach(
        (name, type) ->
            functions.put(
                MODULE + "." + name,
                name.equals("proxy_log") || name.equals("proxy_send_local_response")
                    ? host(MODULE, name, type, h.get(name))
                    : computeOnlyHost(MODULE, name, type, h.get(name))));
    return functions;
  }

  private void flushPendingCounts() {
    if (!pendingCounts.isEmpty()) {
      ScriptContext ctx = scriptContext();
      pendingCounts.forEach(ctx::count);
      pendingCounts.clear();
    }
  }

  /** The context whose metadata is header map {@code type} now, or null when that map is not available. */
  private ScriptContext headerMap(int type) {
    if ((type == REQUEST_HEADERS && phase == Phase.REQUEST) || (type == RESPONSE_HEADERS && phase == Phase.RESPONSE)) {
      return scriptContext();
    }
    return null;
  }

  private byte[] buffer(int type) {
    return switch (type) {
      case PLUGIN_CONFIGURATION -> pluginConfig;
      case VM_CONFIGURATION -> new byte[0];
      default -> null; // bodies: metaproxy filters see metadata only
    };
  }

  /**
   * The properties metaproxy answers ({@code proxy_get_property}); path segments are NUL-separated and are read
   * joined with dots.
   */
  String property(byte[] rawPath) {
    int end = rawPath.length;
    while (end > 0 && rawPath[end - 1] == 0) {
      end--;
    }
    String path = new String(rawPath, 0, end, StandardCharsets.UTF_8).replace('\0', '.');
    switch (path) {
      case "plugin_root_id":
        return rootId;
      case "plugin_name":
        return filterName;
      case "plugin_vm_id":
        return "";
      default:
        break;
    }
    if (!inCall()) {
      return null;
    }
    ScriptContext ctx = scriptContext();
    return switch (path) {
      case "request_id", "request.id" -> Long.toString(ctx.requestId());
      case "operation", "request.operation" -> ctx.operation();
      case "message_type" -> ctx.messageType();
      case "listener", "listener_name" -> ctx.listener();
      case "route", "route_name" -> ctx.route();
      case "cluster", "cluster_name" -> ctx.cluster();
      case "source.address" -> ctx.peerAddress();
      default -> null;
    };
  }

  static ErrorType errorType(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> ErrorType.BAD_REQUEST;
      case 401, 403 -> ErrorType.UNAUTHORIZED;
      case 404 -> ErrorType.ROUTE_NOT_FOUND;
      case 429 -> ErrorType.OVER_LIMIT;
      case 503 -> ErrorType.NO_HEALTHY_UPSTREAM;
      case 504 -> ErrorType.TIMEOUT;
      default -> ErrorType.UNSPECIFIED;
    };
  }

  /** Hands {@code value} to the guest as UTF-8, as {@link #returnBytes} does, without an array of its own for it. */
  private long[] returnString(Instance in, String value, long dataPtrPtr, long sizePtr) {
    int length = GuestStrings.utf8Length(value);
    long pointer = 0;
    if (length > 0) {
      pointer = allocate(length);
      if (pointer == 0) {
        return status(INTERNAL_FAILURE);
      }
      strings.writeUtf8(in.memory(), pointer, value, length, "allocated buffer", 0);
    }
    return returnPointer(in, pointer, length, dataPtrPtr, sizePtr);
  }

  /**
   * Hands {@code data} to the guest as the ABI does: allocated with the guest's allocator, pointer and size written to
   * the two result pointers. Empty data is (0, 0) without an allocation.
   */
  private long[] returnBytes(Instance in, byte[] data, long dataPtrPtr, long sizePtr) {
    long pointer = 0;
    if (data.length > 0) {
      pointer = allocate(data.length);
      if (pointer == 0) {
        return status(INTERNAL_FAILURE);
      }
      GuestMemory.write(in.memory(), pointer, data, "allocated buffer", 0);
    }
    return returnPointer(in, pointer, data.length, dataPtrPtr, sizePtr);
  }

  private long[] returnPointer(Instance in, long pointer, int length, long dataPtrPtr, long sizePtr) {
    Memory memory = in.memory();
    GuestMemory.writeU32(memory, dataPtrPtr, pointer, "result pointer", 0);
    GuestMemory.writeU32(memory, sizePtr, length, "result size", 0);
    return status(OK);
  }

  /** {@code length} bytes from the guest's allocator; 0 when it has none to give. */
  private long allocate(int length) {
    if (allocator == null) {
      throw new ScriptFailure(
          ScriptFailure.format(
              settings().scriptName(), 0, "exports neither proxy_on_memory_allocate nor malloc; the host cannot return data"));
    }
    // The allocator is guest code, run under the budget like any: the functions that return data only compute, so
    // the call is in the guest state here (see WasmFilter#computeOnlyHost) and the watchdog may stop the allocator.
    return allocator.call(length)[0];
  }

  private static byte[] pairsOf(ScriptContext ctx) {
    List<String> keys = ctx.keys();
    List<String> values = new ArrayList<>(keys.size());
    for (String key : keys) {
      String value = ctx.get(key);
      values.add(value == null ? "" : value);
    }
    return serializePairs(keys, values);
  }

  /** The ABI's map format: u32 count, then u32 key and value sizes, then each key and value followed by NUL. */
  static byte[] serializePairs(List<String> keys, List<String> values) {
    int n = keys.size();
    byte[][] k = new byte[n][];
    byte[][] v = new byte[n][];
    int size = 4 + 8 * n;
    for (int i = 0; i < n; i++) {
      k[i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
      v[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
      size += k[i].length + v[i].length + 2;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(n);
    for (int i = 0; i < n; i++) {
      out.putInt(k[i].length).putInt(v[i].length);
    }
    for (int i = 0; i < n; i++) {
      out.put(k[i]).put((byte) 0).put(v[i]).put((byte) 0);
    }
    return out.array();
  }

  /** Parses the map format; null when it is malformed. */
  static Map<String, String> deserializePairs(byte[] data) {
    if (data.length == 0) {
      return new LinkedHashMap<>();
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      int n = in.getInt();
      if (n < 0 || n > (data.length - 4) / 8) {
        return null;
      }
      int[] sizes = new int[n * 2];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = in.getInt();
      }
      Map<String, String> pairs = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String key = text(in, sizes[2 * i]);
        String value = text(in, sizes[2 * i + 1]);
        pairs.put(key, value);
      }
      return pairs;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String text(ByteBuffer in, int size) {
    byte[] bytes = new byte[size];
    in.get(bytes);
    if (in.get() != 0) {
      throw new IllegalArgumentException("missing NUL");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private long[] status(int status) {
    return result(status);
  }

  private static Map<String, FunctionType> signatures() {
    Map<String, FunctionType> s = new LinkedHashMap<>();
    s.put("proxy_log", i32(I32, I32, I32));
    s.put("proxy_get_log_level", i32(I32));
    s.put("proxy_get_current_time_nanoseconds", i32(I32));
    s.put("proxy_get_property", i32(I32, I32, I32, I32));
    s.put("proxy_get_buffer_bytes", i32(I32, I32, I32, I32, I32));
    s.put("proxy_get_buffer_status", i32(I32, I32, I32));
    s.put("proxy_get_header_map_pairs", i32(I32, I32, I32));
    s.put("proxy_set_header_map_pairs", i32(I32, I32, I32));
    s.put("proxy_get_header_map_size", i32(I32, I32));
    s.put("proxy_get_header_map_value", i32(I32, I32, I32, I32, I32));
    s.put("proxy_add_header_map_value", i32(I32, I32, I32, I32, I32));
    s.put("proxy_replace_header_map_value", i32(I32, I32, I32, I32, I32));
    s.put("proxy_remove_header_map_value", i32(I32, I32, I32));
    s.put("proxy_send_local_response", i32(I32, I32, I32, I32, I32, I32, I32, I32));
    s.put("proxy_define_metric", i32(I32, I32, I32, I32));
    s.put("proxy_increment_metric", i32(I32, I64));
    s.put("proxy_set_effective_context", i32(I32));
    s.put("proxy_done", i32());
    s.put("proxy_continue_stream", i32(I32));
    s.put("proxy_continue_request", i32());
    s.put("proxy_continue_response", i32());
    return Collections.unmodifiableMap(s);
  }

  private static FunctionType i32(ValType... params) {
    return FunctionType.of(List.of(params), List.of(I32));
  }
}
