/**
 * Plugins: loads every PF4J plugin jar or zip in the configured folder, finds the {@link
 * io.metaproxy.api.CodecFactory} and {@link io.metaproxy.api.FilterFactory} extensions they publish (plus the
 * factories on the host's own class path through {@link java.util.ServiceLoader}, which is how script engines ship),
 * and answers "which factory is called X". A plugin that fails to load is reported and skipped; the rest keep
 * working.
 */
package io.metaproxy.host.plugin;
