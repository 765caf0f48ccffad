package io.metaproxy.host.config;

import java.nio.file.Path;

/** {@code plugins: { dir: plugins }}: the folder plugin jars are loaded from, resolved against the config file. */
public record PluginsConfig(Path dir) {}
