-- add_headers.lua: header injection.
-- Requests get x-proxied-by (who forwarded them) and x-request-start (when, in ms since the epoch);
-- responses get x-upstream-cluster (which cluster answered).
--
--   filters:
--     - name: lua
--       config: { file: filters/add_headers.lua }

local PROXY_NAME = "metaproxy"

function on_request(ctx)
  ctx:set("x-proxied-by", PROXY_NAME)
  ctx:set("x-request-start", ctx:now())   -- numbers become their text: "1700000000123"
end

function on_response(ctx)
  local cluster = ctx:cluster()           -- nil when the request was answered locally
  if cluster ~= nil then
    ctx:set("x-upstream-cluster", cluster)
  end
end
