/*
 * bench/engines: the WASM filter (metaproxy's own ABI) of the engine-cost benchmark. Reads two keys and sets one,
 * on the request only; engine.lua, engine.mjs and proxy-wasm/assembly/index.ts do exactly the same.
 * Built by ./build.sh into engine.wasm (checked in).
 */
#include "metaproxy.h"

MP_EXPORT("on_request") int on_request(void) {
  char service[256];
  char method[256];
  int32_t method_len;
  if (mp_get_str("interface", service, sizeof service) >= 0 &&
      (method_len = mp_get_str("method", method, sizeof method)) >= 0) {
    mp_set("x-engine", MP_LEN("x-engine"), method, method_len);
  }
  return MP_CONTINUE;
}
