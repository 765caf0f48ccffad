// add_headers.mjs: header injection.
// Requests get x-proxied-by (who forwarded them) and x-request-start (when, in ms since the epoch);
// responses get x-upstream-cluster (which cluster answered).
//
//   filters:
//     - name: js
//       config: { file: filters/add_headers.mjs }

const PROXY_NAME = "metaproxy";

export function onRequest(ctx) {
  ctx.set("x-proxied-by", PROXY_NAME);
  ctx.set("x-request-start", ctx.now()); // numbers become their text: "1700000000123"
}

export function onResponse(ctx) {
  const cluster = ctx.cluster(); // null when the request was answered locally
  if (cluster !== null) {
    ctx.set("x-upstream-cluster", cluster);
  }
}
