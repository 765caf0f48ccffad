-- token_auth.lua: token check.
-- Requests without a known token are answered with an "unauthorized" error reply (the protocol's own
-- error frame) and never reach the upstream. Accepted requests go on without the token, so credentials
-- never leave the proxy, and with x-user naming the caller.
--
--   filters:
--     - name: lua
--       config: { file: filters/token_auth.lua }

local TOKEN_KEY = "token"            -- Dubbo's token attachment; any metadata key works
local USERS_BY_TOKEN = {
  ["s3cr3t-alice"] = "alice",
  ["s3cr3t-bob"] = "bob",
}

function on_request(ctx)
  local token = ctx:get(TOKEN_KEY)
  if token == nil then
    ctx:count("auth_rejected", 1)
    return ctx:reply("unauthorized", "missing token")   -- reply ends the chain whatever is returned
  end
  local user = USERS_BY_TOKEN[token]
  if user == nil then
    ctx:count("auth_rejected", 1)
    return ctx:reply("unauthorized", "bad token")
  end
  ctx:remove(TOKEN_KEY)
  ctx:set("x-user", user)
end
