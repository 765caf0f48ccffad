/**
 * Integration tests: the assembled distribution ({@code dist/}, system property {@code metaproxy.dist}) started as
 * a process with {@code bin/metaproxy}, driven by real Dubbo 3 providers and consumers over loopback.
 *
 * <p>{@link io.metaproxy.it.ProxyProcess} runs the proxy on a generated config with free ports; {@link
 * io.metaproxy.it.Cli} runs the other commands ({@code validate}, {@code reload}, {@code demo}); {@link
 * io.metaproxy.it.SharedBackends} starts the greet-v1/greet-v2 providers once per JVM, because Dubbo is slow to
 * start.
 */
package io.metaproxy.it;
