/*
 * canary.c: canary routing by a metadata value.
 * A request goes to the canary cluster instead of the route's choice when it carries x-canary: true,
 * or when its user-id falls in the canary share (a stable hash, so a user always lands on the same side).
 * Responses to canaried requests are marked with x-canary-served-by.
 *
 *   filters:
 *     - name: wasm
 *       config: { file: filters/canary.wasm }
 */
#include "metaproxy.h"

#define CANARY_CLUSTER "greet-v2"
#define CANARY_PERCENT 10

/* A stable bucket 0..99 for a string's UTF-8 bytes; canary.lua and canary.mjs compute the same one. */
static int bucket(const char *text, int32_t len) {
  uint64_t hash = 0;
  for (int32_t i = 0; i < len; i++) {
    hash = (hash * 31 + (unsigned char)text[i]) % 1000003;
  }
  return (int)(hash % 100);
}

MP_EXPORT("on_request") int on_request(void) {
  char forced[8];
  char user[512];
  int32_t forced_len = mp_get_str("x-canary", forced, sizeof forced);
  int32_t user_len = mp_get_str("user-id", user, sizeof user);
  if ((forced_len >= 0 && strcmp(forced, "true") == 0) || (user_len >= 0 && bucket(user, user_len) < CANARY_PERCENT)) {
    mp_route_to(CANARY_CLUSTER, MP_LEN(CANARY_CLUSTER));
    mp_set_state_str("canary", "yes"); /* per-request state, read again on the response side */
    mp_log_str(MP_DEBUG, "canary: -> " CANARY_CLUSTER);
  }
  return MP_CONTINUE;
}

MP_EXPORT("on_response") int on_response(void) {
  char canary[8];
  if (mp_state_str("canary", canary, sizeof canary) >= 0 && strcmp(canary, "yes") == 0) {
    mp_set_str("x-canary-served-by", CANARY_CLUSTER);
  }
  return MP_CONTINUE;
}
