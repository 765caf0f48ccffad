/**
 * The benchmark tool's command line ({@link io.metaproxy.bench.BenchMain}): {@code echo} (a backend), {@code load}
 * (the load generator), {@code report} (tables, CSV, JSON and a PNG from a session's results), {@code
 * metaproxy-config} (the proxy configuration a session runs), {@code ports} and {@code jmh} (the micro-benchmarks).
 * {@code bench/run} drives them all; see bench/README.md.
 */
package io.metaproxy.bench;
