/*
 * bench/engines: the proxy-wasm filter of the engine-cost benchmark, in C against the raw proxy-wasm ABI v0.2.x
 * (no SDK). Reads two keys and sets one, on the request only; engine.c, engine.lua, engine.mjs and
 * proxy-wasm/assembly/index.ts do exactly the same. Built by ./build.sh into engine-proxy-wasm-c.wasm (checked in).
 *
 * It is what the ABI itself costs: per request the host creates a context (proxy_on_context_create), calls
 * proxy_on_request_headers, which makes three host calls (two reads, whose values the host allocates in this module
 * through proxy_on_memory_allocate, and one write), and finishes the context on the response path (proxy_on_done,
 * proxy_on_log, proxy_on_delete). The module keeps no per-context state. An SDK adds its own work on top of this:
 * proxy-wasm/assembly/index.ts measures the AssemblyScript one.
 *
 * Two variants take that cost apart, in FilterChainBenchmark and, named in --engines, as rows of bench/engines/run
 * (whose default proxy-wasm row is the module above):
 *   -DENGINE_ARENA          engine-proxy-wasm-arena.wasm: proxy_on_memory_allocate hands out memory from an arena
 *                           that each request starts afresh, and the filter frees nothing; the difference to
 *                           engine-proxy-wasm-c.wasm is what wasi-libc's malloc and free cost the module.
 *   -DENGINE_ARENA -DENGINE_NO_STREAM_END
 *                           engine-proxy-wasm-context-only.wasm: as the arena variant, without the exports
 *                           proxy_on_done, proxy_on_log and proxy_on_delete (the host then calls none of them); the
 *                           difference to the arena variant is what the three end-of-stream calls cost.
 */
#include <stdint.h>
#include <stdlib.h>

#define PW_IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define PW_EXPORT(name) __attribute__((export_name(name)))

/* WasmResult */
#define PW_OK 0
/* WasmHeaderMapType */
#define PW_REQUEST_HEADERS 0
/* FilterHeadersStatus */
#define PW_CONTINUE 0

/* ---- host functions (imports from "env"); sizes are the guest's size_t, i32 on wasm32 ---------------------- */
PW_IMPORT("proxy_get_header_map_value")
int32_t proxy_get_header_map_value(int32_t map_type, const char *key, size_t key_size, char **value,
                                   size_t *value_size);
PW_IMPORT("proxy_replace_header_map_value")
int32_t proxy_replace_header_map_value(int32_t map_type, const char *key, size_t key_size, const char *value,
                                       size_t value_size);

/* ---- the module's side of the ABI (exports) ------------------------------------------------------------------ */
PW_EXPORT("proxy_abi_version_0_2_1") void proxy_abi_version_0_2_1(void) {}

#ifdef ENGINE_ARENA
/* Where the host puts the data it returns: the request's arena (two header values fit many times over). */
static _Alignas(8) char arena[4096];
static size_t arena_used;

PW_EXPORT("proxy_on_memory_allocate") void *proxy_on_memory_allocate(size_t size) {
  size_t start = (arena_used + 7) & ~(size_t)7;
  if (size > sizeof(arena) - start) {
    return NULL; /* the host answers the read with InternalFailure */
  }
  arena_used = start + size;
  return arena + start;
}
#define RELEASE(p) ((void)(p))
#else
/* Where the host puts the data it returns (header values); the module frees it. */
PW_EXPORT("proxy_on_memory_allocate") void *proxy_on_memory_allocate(size_t size) { return malloc(size); }
#define RELEASE(p) free(p)
#endif

PW_EXPORT("proxy_on_context_create") void proxy_on_context_create(uint32_t context_id, uint32_t parent_id) {
  (void)context_id;
  (void)parent_id;
}

PW_EXPORT("proxy_on_vm_start") uint32_t proxy_on_vm_start(uint32_t root_id, size_t vm_configuration_size) {
  (void)root_id;
  (void)vm_configuration_size;
  return 1;
}

PW_EXPORT("proxy_on_configure") uint32_t proxy_on_configure(uint32_t root_id, size_t configuration_size) {
  (void)root_id;
  (void)configuration_size;
  return 1;
}

/*
 * Request header key: 1 when present, its value in *value (*size bytes, allocated through proxy_on_memory_allocate,
 * or NULL when empty; the caller frees it); 0 when absent.
 */
static int request_header(const char *key, size_t key_size, char **value, size_t *size) {
  *value = NULL;
  *size = 0;
  return proxy_get_header_map_value(PW_REQUEST_HEADERS, key, key_size, value, size) == PW_OK;
}

#define KEY(s) (s), (sizeof(s) - 1)

PW_EXPORT("proxy_on_request_headers")
uint32_t proxy_on_request_headers(uint32_t context_id, uint32_t headers, uint32_t end_of_stream) {
  (void)context_id;
  (void)headers;
  (void)end_of_stream;
#ifdef ENGINE_ARENA
  arena_used = 0;
#endif
  char *service, *method;
  size_t service_size, method_size;
  if (request_header(KEY("interface"), &service, &service_size) &&
      request_header(KEY("method"), &method, &method_size)) {
    proxy_replace_header_map_value(PW_REQUEST_HEADERS, KEY("x-engine"), method, method_size);
    RELEASE(method);
  }
  RELEASE(service);
  return PW_CONTINUE;
}

#ifndef ENGINE_NO_STREAM_END
PW_EXPORT("proxy_on_done") uint32_t proxy_on_done(uint32_t context_id) {
  (void)context_id;
  return 1;
}

PW_EXPORT("proxy_on_log") void proxy_on_log(uint32_t context_id) { (void)context_id; }

PW_EXPORT("proxy_on_delete") void proxy_on_delete(uint32_t context_id) { (void)context_id; }
#endif
