/**
 * Routing: a listener's routes compiled into a {@link io.metaproxy.host.route.RouteTable} that finds the first route
 * whose metadata matchers hold, and the {@link io.metaproxy.host.route.Route} itself: which cluster (single or by
 * weight), timeout, retry, and the key/values to set on the request and response. Built once per configuration
 * snapshot; immutable and shared by every event loop.
 */
package io.metaproxy.host.route;
