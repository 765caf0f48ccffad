/*
 * add_headers.c: header injection.
 * Requests get x-proxied-by (who forwarded them) and x-request-start (when, in ms since the epoch);
 * responses get x-upstream-cluster (which cluster answered).
 *
 *   filters:
 *     - name: wasm
 *       config: { file: filters/add_headers.wasm }
 */
#include "metaproxy.h"

#define PROXY_NAME "metaproxy"

MP_EXPORT("on_request") int on_request(void) {
  char start[24];
  mp_set_str("x-proxied-by", PROXY_NAME);
  mp_itoa(mp_now(), start);
  mp_set_str("x-request-start", start);
  return MP_CONTINUE;
}

MP_EXPORT("on_response") int on_response(void) {
  char cluster[256];
  int32_t len = mp_cluster(cluster, sizeof cluster); /* -1 when the request was answered locally */
  if (len >= 0 && len <= (int32_t)sizeof cluster) {
    mp_set("x-upstream-cluster", MP_LEN("x-upstream-cluster"), cluster, len);
  }
  return MP_CONTINUE;
}
