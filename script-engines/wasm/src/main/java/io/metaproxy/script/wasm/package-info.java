/**
 * The WASM script engine: filter {@code wasm}, which runs a WebAssembly module as a filter on Chicory, compiled ahead
 * of time to JVM bytecode.
 *
 * <ul>
 *   <li>{@link io.metaproxy.script.wasm.WasmFilterFactory}: settings, the compiled-module cache, ABI choice.
 *   <li>{@link io.metaproxy.script.wasm.WasmProgram}: one parsed and compiled module version, shared by all loops.
 *   <li>{@link io.metaproxy.script.wasm.WasmFilter}: one instance per filter, calls under the budget, failures,
 *       linking (WASI without files, AssemblyScript's abort); {@link io.metaproxy.script.wasm.MetaproxyAbiFilter} and
 *       {@link io.metaproxy.script.wasm.ProxyWasmFilter} are the two ABIs.
 *   <li>{@link io.metaproxy.script.wasm.Watchdog} and {@link io.metaproxy.script.wasm.CallGuard}: the one thread
 *       that interrupts calls past their budget, and the per-filter state that keeps the interrupt out of host code.
 *   <li>{@link io.metaproxy.script.wasm.GuestMemory} and {@link io.metaproxy.script.wasm.GuestStrings}: checked
 *       reads and writes of a module's memory, and the per-filter cache of the strings host functions read;
 *       {@link io.metaproxy.script.wasm.LiveContexts}: proxy-wasm's live request contexts, without boxing;
 *       {@link io.metaproxy.script.wasm.GuestExport}: the exports called on every message, without an argument
 *       array per call.
 *   <li>{@link io.metaproxy.script.wasm.WatCompiler}: WebAssembly text, when the optional wabt is present.
 * </ul>
 *
 * <p>The ABIs are documented for module authors in {@code sample-filters/wasm/README.md}.
 */
package io.metaproxy.script.wasm;
