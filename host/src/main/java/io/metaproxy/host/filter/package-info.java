/**
 * The filter chain and the per-request exchange. {@link io.metaproxy.host.filter.FilterChain} holds a listener's
 * filters for one snapshot, one instance per event loop. {@link io.metaproxy.host.filter.Exchange} is one request's
 * whole life, read top to bottom: request filters in order, the router (route match, cluster, load balancer,
 * upstream), response filters in reverse, and the write back to the client; it is also the {@link
 * io.metaproxy.api.FilterContext} every filter sees. Every failure ends in the protocol's own error reply through the
 * codec.
 */
package io.metaproxy.host.filter;
