/*
 * token_auth.c: token check.
 * Requests without a known token are answered with an "unauthorized" error reply (the protocol's own
 * error frame) and never reach the upstream. Accepted requests go on without the token, so credentials
 * never leave the proxy, and with x-user naming the caller.
 *
 *   filters:
 *     - name: wasm
 *       config: { file: filters/token_auth.wasm }
 */
#include "metaproxy.h"

#define TOKEN_KEY "token" /* Dubbo's token attachment; any metadata key works */

static const struct {
  const char *token;
  const char *user;
} USERS_BY_TOKEN[] = {
    {"s3cr3t-alice", "alice"},
    {"s3cr3t-bob", "bob"},
};

MP_EXPORT("on_request") int on_request(void) {
  char token[128];
  int32_t len = mp_get(TOKEN_KEY, MP_LEN(TOKEN_KEY), token, sizeof token - 1);
  if (len < 0) {
    mp_count_str("auth_rejected", 1);
    return mp_reply_str("unauthorized", "missing token"); /* returns MP_STOP */
  }
  if (len < (int32_t)sizeof token) {
    token[len] = 0;
    for (unsigned i = 0; i < sizeof USERS_BY_TOKEN / sizeof USERS_BY_TOKEN[0]; i++) {
      if (strcmp(token, USERS_BY_TOKEN[i].token) == 0) {
        mp_remove(TOKEN_KEY, MP_LEN(TOKEN_KEY));
        mp_set_str("x-user", USERS_BY_TOKEN[i].user);
        return MP_CONTINUE;
      }
    }
  }
  mp_count_str("auth_rejected", 1);
  return mp_reply_str("unauthorized", "bad token");
}
