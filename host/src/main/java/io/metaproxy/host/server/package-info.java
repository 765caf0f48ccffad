/**
 * The running proxy: {@link io.metaproxy.host.server.Proxy} owns the event loops, the listeners, the admin server and
 * the current {@link io.metaproxy.host.server.Snapshot} (configuration compiled against the loaded plugins, behind one
 * reference). Reload builds and validates a new snapshot, swaps it in, and retires the old one: requests already in
 * flight finish on the snapshot they started with, and each loop closes its filter instances of a retired snapshot
 * when its last such request is done. Invalid input is rejected with its error and the old snapshot keeps serving.
 */
package io.metaproxy.host.server;
