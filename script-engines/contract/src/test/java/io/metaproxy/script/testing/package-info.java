/**
 * Test support every script engine shares, shipped in the contract module's test-jar: {@link
 * io.metaproxy.script.testing.ScriptEngineContract}, the behaviours each engine must show given script snippets in its
 * language ({@link io.metaproxy.script.testing.ScriptDialect}), and an in-memory {@link
 * io.metaproxy.script.testing.RecordingFilterContext} that records what a script did. The in-memory context is a unit
 * test seam; the {@code it/} tests drive scripts with real traffic.
 */
package io.metaproxy.script.testing;
