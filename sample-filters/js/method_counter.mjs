// method_counter.mjs: per-method counters.
// Counts calls as method_calls_<method> and failed responses as method_errors_<method>, exported on
// /stats/prometheus per listener. One counter per method: fine for a service's dozens of methods,
// not for unbounded values such as user ids.
//
//   filters:
//     - name: js
//       config: { file: filters/method_counter.mjs }

// The method, made safe as part of a metric name: "org.example.Greeter/sayHello" -> "org_example_Greeter_sayHello".
function methodOf(ctx) {
  const method = ctx.get("method") ?? ctx.operation() ?? "unknown";
  return method.replace(/[^A-Za-z0-9_]/g, "_");
}

export function onRequest(ctx) {
  const method = methodOf(ctx);
  ctx.count(`method_calls_${method}`, 1);
  ctx.setState("method", method); // responses usually carry no method: remember it
}

export function onResponse(ctx) {
  if (ctx.messageType() === "error") {
    ctx.count(`method_errors_${ctx.state("method") ?? "unknown"}`, 1);
  }
}
