/**
 * The Dubbo codec plugin: the Dubbo 2.x/3.x exchange protocol (16-byte header, Hessian2 bodies) as a metaproxy
 * {@link io.metaproxy.api.Codec}, published as {@code protocol: dubbo} by {@link
 * io.metaproxy.codec.dubbo.DubboCodecFactory}.
 *
 * <p>What it owns: framing, request/response/heartbeat/error classification, the metadata a Dubbo call exposes
 * (interface, method, version, group and every string attachment), applying mutations to attachments, error replies a
 * Dubbo consumer understands, and heartbeats. It reads Hessian2 with a skipper ({@code Hessian2Scanner}) that walks
 * arguments and return values without deserializing them, so the proxy needs none of the application's classes and
 * copies no arguments: an unmutated frame is forwarded as its original bytes, a mutated one is the original bytes up
 * to the attachments map followed by a rewritten map.
 */
package io.metaproxy.codec.dubbo;
