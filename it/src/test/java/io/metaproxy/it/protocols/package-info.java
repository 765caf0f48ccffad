/**
 * Integration tests of the non-Dubbo codecs in the assembled distribution: a real libthrift 0.17 client and servers
 * ({@link io.metaproxy.it.protocols.ThriftIT}), real SOFA Bolt {@code RpcClient} and {@code RpcServer}s ({@link
 * io.metaproxy.it.protocols.BoltIT}), and the example codec dropped into a running proxy's plugins folder and
 * loaded by {@code bin/metaproxy reload} ({@link io.metaproxy.it.protocols.CodecExampleDropInIT}).
 *
 * <p>The peers here are test code written against the libraries' public APIs (or, for the example protocol, plain
 * sockets), independent of the codecs under test: what they send and what they accept is what a user's client and
 * server would.
 */
package io.metaproxy.it.protocols;
