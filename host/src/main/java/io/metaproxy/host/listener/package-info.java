/**
 * Listeners: the server sockets ({@link io.metaproxy.host.listener.ListenerServer}) and the downstream connections
 * ({@link io.metaproxy.host.listener.DownstreamConnection}) that turn bytes into requests with the listener's codec,
 * answer heartbeats, enforce the frame size limit and idle timeout, and hand each request to a new exchange on the
 * snapshot current at that moment. A malformed frame closes that one connection and is counted.
 */
package io.metaproxy.host.listener;
