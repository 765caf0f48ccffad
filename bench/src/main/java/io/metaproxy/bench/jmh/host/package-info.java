/**
 * What the host-level micro-benchmarks plug into the real host: the {@code bench_*} filter factories and a class-path
 * registration of the Dubbo codec (both found by the host's {@code PluginRegistry} through {@link
 * java.util.ServiceLoader}, {@code META-INF/services} of this module), a {@link
 * io.metaproxy.host.filter.Downstream} that stands in for the client connection, and {@link
 * io.metaproxy.bench.jmh.host.HostFixture}, which compiles a YAML configuration into the host's own {@code Snapshot}.
 * Nothing here is used by the load generator; none of it is on metaproxy's class path in {@code dist/}.
 */
package io.metaproxy.bench.jmh.host;
