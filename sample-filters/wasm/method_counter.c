/*
 * method_counter.c: per-method counters.
 * Counts calls as method_calls_<method> and failed responses as method_errors_<method>, exported on
 * /stats/prometheus per listener. One counter per method: fine for a service's dozens of methods,
 * not for unbounded values such as user ids.
 *
 *   filters:
 *     - name: wasm
 *       config: { file: filters/method_counter.wasm }
 */
#include "metaproxy.h"

#define MAX_METHOD 200

/* The method, made safe as part of a metric name: "org.example.Greeter/sayHello" -> "org_example_Greeter_sayHello". */
static int32_t method_of(char *method) {
  int32_t len = mp_get("method", MP_LEN("method"), method, MAX_METHOD);
  if (len < 0 || len > MAX_METHOD) {
    len = mp_operation(method, MAX_METHOD);
  }
  if (len < 0 || len > MAX_METHOD) {
    memcpy(method, "unknown", 7);
    len = 7;
  }
  for (int32_t i = 0; i < len; i++) {
    char c = method[i];
    int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) method[i] = '_';
  }
  method[len] = 0;
  return len;
}

static void count(const char *prefix, const char *method) {
  char metric[MAX_METHOD + 32];
  size_t prefix_len = strlen(prefix);
  memcpy(metric, prefix, prefix_len);
  strcpy(metric + prefix_len, method);
  mp_count_str(metric, 1);
}

MP_EXPORT("on_request") int on_request(void) {
  char method[MAX_METHOD + 1];
  method_of(method);
  count("method_calls_", method);
  mp_set_state_str("method", method); /* responses usually carry no method: remember it */
  return MP_CONTINUE;
}

MP_EXPORT("on_response") int on_response(void) {
  if (mp_message_type() == MP_ERROR) {
    char method[MAX_METHOD + 1];
    if (mp_state_str("method", method, sizeof method) < 0) {
      strcpy(method, "unknown");
    }
    count("method_errors_", method);
  }
  return MP_CONTINUE;
}
