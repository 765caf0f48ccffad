/**
 * The wire formats the benchmark speaks, written from scratch so that the load generator and the echo servers depend
 * on nothing the proxy under test uses. A protocol here only needs to know how frames are delimited, where the request
 * id is, and how to build one request and one reply: bodies are built once as templates and never parsed, so neither
 * side of the benchmark becomes its bottleneck.
 *
 * <p>{@link io.metaproxy.bench.protocol.BenchProtocol} is the contract; {@link
 * io.metaproxy.bench.protocol.DubboProtocol} (Dubbo 2.x framing, Hessian2 bodies) is the first implementation.
 */
package io.metaproxy.bench.protocol;
