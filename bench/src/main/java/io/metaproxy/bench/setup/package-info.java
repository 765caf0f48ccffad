/**
 * What bench/run needs before any load: free ports, and the metaproxy configuration of a scenario, built from the
 * filter-chain file with every filter whose plugin or script engine is missing from the distribution left out (and
 * said so).
 */
package io.metaproxy.bench.setup;
