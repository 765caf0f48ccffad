/**
 * The demo's sample traffic: a Dubbo {@link io.metaproxy.demo.GreetingService}, providers that say which backend
 * served a call ({@link io.metaproxy.demo.Backends}), a consumer helper ({@link io.metaproxy.demo.GreetingClient})
 * and {@link io.metaproxy.demo.DemoMain}, the program {@code bin/metaproxy demo} runs against the proxy. The
 * integration tests drive the proxy with the same pieces.
 *
 * <p>Everything here is plain Dubbo 3 configured by API: no registry (providers are reached by direct URL), no QoS
 * port, Hessian2 serialization (the proxy's Dubbo codec reads Hessian2 frames), logs at WARN.
 */
package io.metaproxy.demo;
