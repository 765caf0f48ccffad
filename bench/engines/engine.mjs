// bench/engines: the JavaScript filter of the engine-cost benchmark. Reads two keys and sets one, on the request
// only; engine.lua and the WASM filters do exactly the same, so their rows differ by the engine alone.
export function onRequest(ctx) {
  const service = ctx.get("interface");
  const method = ctx.get("method");
  if (service !== null && method !== null) {
    ctx.set("x-engine", method);
  }
}
