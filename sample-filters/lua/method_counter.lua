-- method_counter.lua: per-method counters.
-- Counts calls as method_calls_<method> and failed responses as method_errors_<method>, exported on
-- /stats/prometheus per listener. One counter per method: fine for a service's dozens of methods,
-- not for unbounded values such as user ids.
--
--   filters:
--     - name: lua
--       config: { file: filters/method_counter.lua }

-- The method, made safe as part of a metric name: "org.example.Greeter/sayHello" -> "org_example_Greeter_sayHello".
local function method_of(ctx)
  local method = ctx:get("method") or ctx:operation() or "unknown"
  return (method:gsub("[^%w_]", "_"))
end

function on_request(ctx)
  local method = method_of(ctx)
  ctx:count("method_calls_" .. method, 1)
  ctx:setState("method", method)        -- responses usually carry no method: remember it
end

function on_response(ctx)
  if ctx:messageType() == "error" then
    ctx:count("method_errors_" .. (ctx:state("method") or "unknown"), 1)
  end
end
