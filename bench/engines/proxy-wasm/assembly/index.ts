// bench/engines: the proxy-wasm filter of the engine-cost benchmark (AssemblyScript proxy-wasm SDK, as in Envoy).
// Reads two keys and sets one, on the request only; ../../engine.lua, engine.mjs and engine.c do exactly the same.
// Built by ../build.sh into ../engine-proxy-wasm.wasm (checked in); run with root_id: engine.
export * from "@solo-io/proxy-runtime/proxy";
import { RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context } from "@solo-io/proxy-runtime";

class EngineRoot extends RootContext {
  // No configuration. (The SDK's own onConfigure passes the configuration size where the ABI wants a result
  // pointer, and traps; sample-filters/wasm/proxy-wasm/header_check has the same override.)
  onConfigure(configuration_size: u32): bool {
    return true;
  }

  createContext(context_id: u32): Context {
    return new EngineFilter(context_id, this);
  }
}

class EngineFilter extends Context {
  constructor(context_id: u32, root_context: EngineRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    // the SDK returns "" for a missing header
    const service = stream_context.headers.request.get("interface");
    const method = stream_context.headers.request.get("method");
    if (service != "" && method != "") {
      stream_context.headers.request.replace("x-engine", method);
    }
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new EngineRoot(context_id); }, "engine");
