/*
 * metaproxy.h: metaproxy's own WASM filter ABI for C (clang --target=wasm32-wasi).
 *
 * A filter exports on_request() and/or on_response(), each returning MP_CONTINUE or MP_STOP (after mp_reply).
 * Strings are UTF-8 (pointer, length) pairs. Functions that return a string write it into a buffer you own and
 * return its length in bytes, or -1 when there is no value; the value is written only when it fits
 * (length <= cap), so a result larger than cap means "call again with a bigger buffer". The host never allocates
 * in your memory and never calls back into your module. See README.md for the full table.
 */
#ifndef METAPROXY_H
#define METAPROXY_H

#include <stdint.h>
#include <string.h>

#define MP_IMPORT(name) __attribute__((import_module("metaproxy"), import_name(name)))
#define MP_EXPORT(name) __attribute__((export_name(name)))

#define MP_CONTINUE 0
#define MP_STOP 1

/* message_type() results: MessageType in declaration order */
#define MP_REQUEST 0
#define MP_RESPONSE 1
#define MP_ONEWAY 2
#define MP_HEARTBEAT 3
#define MP_ERROR 4

/* log levels */
#define MP_DEBUG 0
#define MP_INFO 1
#define MP_WARN 2
#define MP_ERROR_LEVEL 3

/* ---- read -------------------------------------------------------------------------------------------------- */
MP_IMPORT("get") int32_t mp_get(const char *key, int32_t key_len, char *buf, int32_t cap);
MP_IMPORT("keys") int32_t mp_keys(char *buf, int32_t cap); /* each key followed by a NUL byte */
MP_IMPORT("message_type") int32_t mp_message_type(void);
MP_IMPORT("request_id") int64_t mp_request_id(void);
MP_IMPORT("operation") int32_t mp_operation(char *buf, int32_t cap);
MP_IMPORT("peer_address") int32_t mp_peer_address(char *buf, int32_t cap);
MP_IMPORT("listener") int32_t mp_listener(char *buf, int32_t cap);
MP_IMPORT("route") int32_t mp_route(char *buf, int32_t cap);
MP_IMPORT("cluster") int32_t mp_cluster(char *buf, int32_t cap);

/* ---- write ------------------------------------------------------------------------------------------------- */
MP_IMPORT("set") void mp_set(const char *key, int32_t key_len, const char *value, int32_t value_len);
MP_IMPORT("remove") void mp_remove(const char *key, int32_t key_len);
MP_IMPORT("reply") int32_t mp_reply(const char *error_type, int32_t type_len, const char *message, int32_t message_len);
MP_IMPORT("route_to") void mp_route_to(const char *cluster, int32_t cluster_len);
MP_IMPORT("resume") void mp_resume(void);

/* ---- per request ------------------------------------------------------------------------------------------- */
MP_IMPORT("state") int32_t mp_state(const char *key, int32_t key_len, char *buf, int32_t cap);
MP_IMPORT("set_state") void mp_set_state(const char *key, int32_t key_len, const char *value, int32_t value_len);

/* ---- utilities --------------------------------------------------------------------------------------------- */
MP_IMPORT("log") void mp_log(int32_t level, const char *message, int32_t message_len);
MP_IMPORT("count") void mp_count(const char *metric, int32_t metric_len, int64_t delta);
MP_IMPORT("now") int64_t mp_now(void); /* ms since the epoch */
MP_IMPORT("fail") _Noreturn void mp_fail(const char *message, int32_t message_len, int32_t line);

/* ---- conveniences for NUL-terminated strings ---------------------------------------------------------------- */
#define MP_LEN(s) ((int32_t)strlen(s))

/* The value of key into buf (NUL-terminated); returns its length, or -1 when absent or longer than cap - 1. */
static inline int32_t mp_get_str(const char *key, char *buf, int32_t cap) {
  int32_t len = mp_get(key, MP_LEN(key), buf, cap - 1);
  if (len < 0 || len > cap - 1) return -1;
  buf[len] = 0;
  return len;
}

static inline int32_t mp_state_str(const char *key, char *buf, int32_t cap) {
  int32_t len = mp_state(key, MP_LEN(key), buf, cap - 1);
  if (len < 0 || len > cap - 1) return -1;
  buf[len] = 0;
  return len;
}

static inline void mp_set_str(const char *key, const char *value) { mp_set(key, MP_LEN(key), value, MP_LEN(value)); }
static inline void mp_set_state_str(const char *key, const char *value) {
  mp_set_state(key, MP_LEN(key), value, MP_LEN(value));
}
static inline int32_t mp_reply_str(const char *error_type, const char *message) {
  return mp_reply(error_type, MP_LEN(error_type), message, MP_LEN(message));
}
static inline void mp_log_str(int32_t level, const char *message) { mp_log(level, message, MP_LEN(message)); }
static inline void mp_count_str(const char *metric, int64_t delta) { mp_count(metric, MP_LEN(metric), delta); }
#define MP_FAIL(message) mp_fail((message), MP_LEN(message), __LINE__)

/* Writes the decimal text of value into buf (at least 21 bytes); returns its length. */
static inline int32_t mp_itoa(int64_t value, char *buf) {
  char digits[21];
  int32_t n = 0, len = 0;
  uint64_t v = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (value < 0) buf[len++] = '-';
  while (n) buf[len++] = digits[--n];
  buf[len] = 0;
  return len;
}

#endif
