-- canary.lua: canary routing by a metadata value.
-- A request goes to the canary cluster instead of the route's choice when it carries x-canary: true,
-- or when its user-id falls in the canary share (a stable hash, so a user always lands on the same side).
-- Responses to canaried requests are marked with x-canary-served-by.
--
--   filters:
--     - name: lua
--       config: { file: filters/canary.lua }

local CANARY_CLUSTER = "greet-v2"
local CANARY_PERCENT = 10

-- A stable bucket 0..99 for a string; canary.mjs computes the same one.
local function bucket(text)
  local hash = 0
  for i = 1, #text do
    hash = (hash * 31 + text:byte(i)) % 1000003
  end
  return hash % 100
end

function on_request(ctx)
  local forced = ctx:get("x-canary")
  local user = ctx:get("user-id")
  if forced == "true" or (user ~= nil and bucket(user) < CANARY_PERCENT) then
    ctx:routeTo(CANARY_CLUSTER)
    ctx:setState("canary", "yes")      -- per-request state, read again on the response side
    ctx:log("debug", "canary: " .. (ctx:operation() or "?") .. " -> " .. CANARY_CLUSTER)
  end
end

function on_response(ctx)
  if ctx:state("canary") == "yes" then
    ctx:set("x-canary-served-by", CANARY_CLUSTER)
  end
end
