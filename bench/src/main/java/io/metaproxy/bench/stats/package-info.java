/**
 * Measurements around the load: CPU time a process used (from {@code /proc/<pid>/stat}) and latency summaries taken
 * from HdrHistogram histograms.
 */
package io.metaproxy.bench.stats;
