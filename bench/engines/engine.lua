-- bench/engines: the Lua filter of the engine-cost benchmark. Reads two keys and sets one, on the request only;
-- engine.mjs and the WASM filters do exactly the same, so their rows differ by the engine alone.
function on_request(ctx)
  local service = ctx:get("interface")
  local method = ctx:get("method")
  if service ~= nil and method ~= nil then
    ctx:set("x-engine", method)
  end
end
