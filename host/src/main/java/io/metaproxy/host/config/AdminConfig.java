package io.metaproxy.host.config;

/** {@code admin: { address: 127.0.0.1:9901 }}; the default binds 127.0.0.1:9901. Port 0 picks a free port. */
public record AdminConfig(String host, int port) {}
