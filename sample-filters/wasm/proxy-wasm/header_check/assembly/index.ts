// header_check: a proxy-wasm filter written with the AssemblyScript proxy-wasm SDK (@solo-io/proxy-runtime), the same
// code that runs in Envoy. In metaproxy the "HTTP headers" are the RPC message's metadata.
//
// Requests without an x-api-key header are rejected with a local 403 (metaproxy: an "unauthorized" error reply in
// the protocol's own error frame) and counted in header_check_rejected. Accepted requests get x-checked-by, set to the
// plugin configuration (or "proxy-wasm" without one); responses get x-filtered-by.
//
//   filters:
//     - name: wasm
//       config: { file: filters/header_check.wasm, root_id: header_check, config: edge-1 }
export * from "@solo-io/proxy-runtime/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
  send_local_response, GrpcStatusValues, Counter, log, LogLevelValues,
} from "@solo-io/proxy-runtime";
import { get_buffer_bytes, BufferTypeValues } from "@solo-io/proxy-runtime/runtime";

class HeaderCheckRoot extends RootContext {
  checkedBy: string = "proxy-wasm";
  rejected: Counter | null = null;

  // The SDK's own onConfigure passes the configuration size where the ABI wants a result pointer; read the
  // configuration through its get_buffer_bytes helper instead, which calls the ABI correctly.
  onConfigure(configuration_size: u32): bool {
    if (configuration_size > 0) {
      this.checkedBy = String.UTF8.decode(get_buffer_bytes(BufferTypeValues.PluginConfiguration, 0, configuration_size));
    }
    return true;
  }

  createContext(context_id: u32): Context {
    if (this.rejected == null) {
      this.rejected = new Counter("header_check_rejected");
    }
    return new HeaderCheck(context_id, this);
  }
}

class HeaderCheck extends Context {
  constructor(context_id: u32, root_context: HeaderCheckRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root = this.root_context as HeaderCheckRoot;
    if (stream_context.headers.request.get("x-api-key") == "") {
      root.rejected!.increment(1);
      log(LogLevelValues.info, "rejected: no x-api-key");
      send_local_response(403, "missing x-api-key", String.UTF8.encode("x-api-key header required"), [],
        GrpcStatusValues.PermissionDenied);
      return FilterHeadersStatusValues.StopIteration;
    }
    stream_context.headers.request.add("x-checked-by", root.checkedBy);
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-filtered-by", "proxy-wasm");
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new HeaderCheckRoot(context_id); }, "header_check");
