/**
 * The JavaScript script engine (filter name {@code js}), on GraalJS.
 *
 * <p>A script is an ES module exporting {@code onRequest(ctx)} and/or {@code onResponse(ctx)}; {@code ctx} has the
 * FilterContext operations under their Java names: {@code ctx.get("method")}, {@code ctx.routeTo("greet-v2")}, {@code
 * return ctx.reply("unauthorized", "bad token")}.
 *
 * <ul>
 *   <li>{@link io.metaproxy.script.js.JsFilterFactory}: settings, and the cache of {@code Source} objects; GraalJS
 *       shares parsed code between contexts of one engine for equal sources.
 *   <li>{@link io.metaproxy.script.js.JsEngine}: the one shared polyglot Engine and how every Context is sandboxed.
 *   <li>{@link io.metaproxy.script.js.JsFilter}: one Context per filter instance, i.e. per event loop.
 *   <li>{@link io.metaproxy.script.js.Watchdog}: one daemon thread that interrupts calls past their budget.
 *   <li>{@link io.metaproxy.script.js.JsCtx}: the {@code ctx} host object, a thin conversion layer over {@link
 *       io.metaproxy.script.ScriptContext}.
 * </ul>
 *
 * <p>Runtime: on a stock JDK GraalJS interprets (no runtime compilation); the optimizing runtime needs the Graal
 * compiler on the upgrade module path, see the sample-filters README.
 */
package io.metaproxy.script.js;
