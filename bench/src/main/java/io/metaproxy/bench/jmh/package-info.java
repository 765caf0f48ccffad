/**
 * JMH micro-benchmarks of the per-message hot path, run through the SPI exactly as the host calls it: codec decode and
 * encode with and without a mutation, for every codec plugin on the class path. Route matching over 100 routes and the
 * filter chain are still to come: they need the host's router and chain classes.
 */
package io.metaproxy.bench.jmh;
