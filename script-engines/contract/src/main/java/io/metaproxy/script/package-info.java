/**
 * What every script engine (Lua, JavaScript, WASM) shares, so that a script behaves the same whatever language it is
 * written in.
 *
 * <ul>
 *   <li>{@link io.metaproxy.script.ScriptSettings}: the filter settings every engine accepts ({@code file:} or
 *       {@code source:}, {@code on_error:}, {@code budget:}) and the script's bytes.
 *   <li>{@link io.metaproxy.script.ScriptContext}: the {@link io.metaproxy.api.FilterContext} as scripts see it, with
 *       the same operation names, enums as lower-case strings, and one set of argument checks. Engine bindings only
 *       convert values between their language and Java and call it.
 *   <li>{@link io.metaproxy.script.ScriptFilter}: the Filter every engine extends: it enters the script with the
 *       message's context and turns any failure into a {@code script_error} reply (or lets the message pass, with
 *       {@code on_error: continue}); no exception escapes it.
 *   <li>{@link io.metaproxy.script.CompiledScripts}: compiled code cached by (path, content hash), so the N event
 *       loops of one snapshot compile a script once.
 *   <li>{@link io.metaproxy.script.ScriptApi}: the operation names, read from FilterContext by reflection: the one
 *       list the contract test and the documentation check bindings against.
 * </ul>
 *
 * <p>Threads: a script filter instance, its VM and its ScriptContext belong to one event loop; nothing here locks on
 * the message path. Only {@link io.metaproxy.script.CompiledScripts} is shared, and only used while filters are built.
 */
package io.metaproxy.script;
