/** Netty plumbing shared by the load generator and the echo servers: epoll when the platform has it, NIO otherwise. */
package io.metaproxy.bench.net;
