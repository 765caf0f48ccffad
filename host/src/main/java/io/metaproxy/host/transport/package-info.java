/**
 * Transport: the Netty event loops (epoll where available, NIO elsewhere), the channel classes that go with them, and
 * each loop's index, which per-loop state (filter instances, in-flight counters, round-robin cursors) is keyed by.
 */
package io.metaproxy.host.transport;
