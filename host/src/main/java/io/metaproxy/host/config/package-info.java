/**
 * Configuration: the YAML file users write, turned by {@link io.metaproxy.host.config.ConfigLoader} into an immutable
 * snapshot of records ({@link io.metaproxy.host.config.ProxyConfig} and below) or a {@link
 * io.metaproxy.host.config.ConfigException} naming the file, line and field that is wrong. {@code
 * conf/examples/reference.yaml} documents every field; a test loads it so that it stays true.
 *
 * <p>This package knows nothing of plugins or sockets; what needs them (is the protocol loaded? does the filter
 * accept its settings?) is checked where the snapshot is built, using the {@link io.metaproxy.host.config.Location}s
 * kept here.
 */
package io.metaproxy.host.config;
