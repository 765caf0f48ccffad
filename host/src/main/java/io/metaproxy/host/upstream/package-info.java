/**
 * Upstream: clusters as a snapshot sees them ({@link io.metaproxy.host.upstream.UpstreamTarget}: endpoints, load
 * balancing, pool settings, the codec to speak), and the connections themselves, pooled per event loop ({@link
 * io.metaproxy.host.upstream.UpstreamPools}) so that a downstream connection and the upstream connections it uses
 * live on one thread with no locks or hand-offs. Pools are keyed by protocol and address, not by snapshot, so a
 * reload that keeps an endpoint keeps its connections.
 *
 * <p>In {@code multiplex} mode many downstream requests share a connection: each gets a connection-unique request id
 * on the way up, restored on the way down. In {@code ping_pong} mode a connection carries one request at a time and
 * ids travel unchanged.
 *
 * <p>Requests bound for one connection are laid end to end in its {@code FrameRun} (small unchanged frames copied,
 * re-encoded ones encoded in place) and reach the channel as one buffer per flush: under load, a channel write per
 * frame cost more than the copy.
 */
package io.metaproxy.host.upstream;
