package io.metaproxy.host.config;

/** {@code { key: x-routed-by, value: metaproxy }} in a request or response mutation. */
public record HeaderValue(String key, String value) {}
