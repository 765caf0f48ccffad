// token_auth.mjs: token check.
// Requests without a known token are answered with an "unauthorized" error reply (the protocol's own
// error frame) and never reach the upstream. Accepted requests go on without the token, so credentials
// never leave the proxy, and with x-user naming the caller.
//
//   filters:
//     - name: js
//       config: { file: filters/token_auth.mjs }

const TOKEN_KEY = "token"; // Dubbo's token attachment; any metadata key works
const USERS_BY_TOKEN = new Map([
  ["s3cr3t-alice", "alice"],
  ["s3cr3t-bob", "bob"],
]);

export function onRequest(ctx) {
  const token = ctx.get(TOKEN_KEY);
  if (token === null) {
    ctx.count("auth_rejected", 1);
    return ctx.reply("unauthorized", "missing token"); // reply ends the chain whatever is returned
  }
  const user = USERS_BY_TOKEN.get(token);
  if (user === undefined) {
    ctx.count("auth_rejected", 1);
    return ctx.reply("unauthorized", "bad token");
  }
  ctx.remove(TOKEN_KEY);
  ctx.set("x-user", user);
}
