/**
 * The admin API: a small HTTP/1.1 server on its own event loop (Envoy's endpoint names: {@code /ready}, {@code
 * /stats/prometheus}, {@code /config_dump}, {@code /clusters}, {@code /plugins}, {@code POST /reload}, {@code POST
 * /drain}, and a dashboard at {@code /}), and the client {@code bin/metaproxy reload} uses to call it.
 *
 * <p>{@link io.metaproxy.host.admin.AdminServer} only speaks HTTP; what it reports and does comes from an {@link
 * io.metaproxy.host.admin.AdminBackend} the server package implements, so this package knows nothing of
 * listeners, snapshots or plugins. Calls that may block (reload, drain) run on a worker thread so the admin event
 * loop keeps answering, and never touch the proxy's own event loops.
 */
package io.metaproxy.host.admin;
