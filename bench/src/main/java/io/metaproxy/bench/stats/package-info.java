/**
 * Measurements around the load: CPU time a process used (from {@code /proc/<pid>/stat}), the machine's CPU steal
 * (from {@code /proc/stat}) and latency summaries taken from HdrHistogram histograms.
 */
package io.metaproxy.bench.stats;
