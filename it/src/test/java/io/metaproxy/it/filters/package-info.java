/**
 * Filters end to end: the distribution's script engines (Lua, JavaScript, WASM) running the sample filters of
 * {@code dist/filters/}, and a Java filter plugin, inside the proxy process, between real Dubbo consumers and
 * providers; hot reload of scripts under continuous load; a runaway script stopped by its budget.
 *
 * <p>{@link io.metaproxy.it.filters.ScriptLanguage} says which engines the distribution holds (a language whose
 * engine is missing is skipped, with the reason); {@link io.metaproxy.it.filters.PrometheusScrape} reads {@code GET
 * /stats/prometheus}; {@link io.metaproxy.it.filters.RunawayWasm} is a WASM module written byte by byte, because the
 * distribution cannot compile WebAssembly text.
 */
package io.metaproxy.it.filters;
