/**
 * The Lua script engine (filter name {@code lua}), on luaj 3.0.1 (Lua 5.2).
 *
 * <p>A script defines global functions {@code on_request(ctx)} and/or {@code on_response(ctx)} and calls {@code ctx}
 * with method syntax and the FilterContext names: {@code ctx:get("method")}, {@code ctx:routeTo("greet-v2")}, {@code
 * return ctx:reply("unauthorized", "bad token")}.
 *
 * <ul>
 *   <li>{@link io.metaproxy.script.lua.LuaFilterFactory}: settings, and the compile cache (one luaj {@code
 *       Prototype} per script version, shared by every event loop's VM).
 *   <li>{@link io.metaproxy.script.lua.LuaFilter}: one VM ({@code Globals}) per filter instance, i.e. per event loop.
 *   <li>{@link io.metaproxy.script.lua.LuaSandbox}: which standard libraries a script gets (no io, os, require, load,
 *       debug, coroutine, luajava) and the shared, protected string metatable.
 *   <li>{@link io.metaproxy.script.lua.LuaBudget}: the instruction hook that stops a call past its budget.
 *   <li>{@link io.metaproxy.script.lua.LuaCtx}: the {@code ctx} userdata, a thin conversion layer over {@link
 *       io.metaproxy.script.ScriptContext}.
 * </ul>
 */
package io.metaproxy.script.lua;
