/**
 * JMH micro-benchmarks of the per-message hot path, each calling the real code the way the host does:
 *
 * <ul>
 *   <li>{@link io.metaproxy.bench.jmh.CodecBenchmark}: codec decode and encode with and without a mutation, through
 *       the SPI, for every codec plugin on the class path;
 *   <li>{@link io.metaproxy.bench.jmh.RouteMatchBenchmark}: the host's route table over 100 routes (first, middle,
 *       no match; exact, prefix and regex matchers);
 *   <li>{@link io.metaproxy.bench.jmh.FilterChainBenchmark}: the host's exchange running N filters (no-op, one-key
 *       read, one-key write, Lua, WASM with metaproxy's ABI, proxy-wasm from C and from the AssemblyScript SDK) on
 *       both paths, ended by a local reply;
 *   <li>{@link io.metaproxy.bench.jmh.ProxyRoundTripBenchmark}: one request through a whole in-process proxy and an
 *       echo backend over loopback, with 0 or 3 filters.
 * </ul>
 *
 * The host-level fixtures (filters, codec registration, a stand-in client connection) are in {@link
 * io.metaproxy.bench.jmh.host}.
 */
package io.metaproxy.bench.jmh;
