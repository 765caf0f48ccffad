// canary.mjs: canary routing by a metadata value.
// A request goes to the canary cluster instead of the route's choice when it carries x-canary: true,
// or when its user-id falls in the canary share (a stable hash, so a user always lands on the same side).
// Responses to canaried requests are marked with x-canary-served-by.
//
//   filters:
//     - name: js
//       config: { file: filters/canary.mjs }

const CANARY_CLUSTER = "greet-v2";
const CANARY_PERCENT = 10;

// A stable bucket 0..99 for a string; canary.lua computes the same one.
function bucket(text) {
  const utf8 = unescape(encodeURIComponent(text)); // one char per UTF-8 byte, as Lua sees strings
  let hash = 0;
  for (let i = 0; i < utf8.length; i++) {
    hash = (hash * 31 + utf8.charCodeAt(i)) % 1000003;
  }
  return hash % 100;
}

export function onRequest(ctx) {
  const forced = ctx.get("x-canary");
  const user = ctx.get("user-id");
  if (forced === "true" || (user !== null && bucket(user) < CANARY_PERCENT)) {
    ctx.routeTo(CANARY_CLUSTER);
    ctx.setState("canary", "yes"); // per-request state, read again on the response side
    ctx.log("debug", `canary: ${ctx.operation() ?? "?"} -> ${CANARY_CLUSTER}`);
  }
}

export function onResponse(ctx) {
  if (ctx.state("canary") === "yes") {
    ctx.set("x-canary-served-by", CANARY_CLUSTER);
  }
}
