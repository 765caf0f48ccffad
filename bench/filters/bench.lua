-- bench/run's Lua filter: a typical light filter. Reads a few keys on the request, tags it with one attachment (a
-- mutation, so the codec re-encodes the request's attachments), and tags the response on the way back.
function on_request(ctx)
  local service = ctx:get("interface")
  local method = ctx:get("method")
  if service ~= nil and method ~= nil then
    ctx:set("x-bench-lua", method)
  end
  ctx:setState("seen", "1")
end

function on_response(ctx)
  if ctx:state("seen") == "1" then
    ctx:set("x-bench-lua", "done")
  end
end
