/**
 * Profiles of the server under test: {@link io.metaproxy.bench.profile.JfrSummary} reads a Java Flight Recorder file
 * that metaproxy wrote during a session ({@code bench/run --jfr}), keeps the events of one measured step (cut with
 * the load generator's step marks) and ranks the costs: hot methods, allocation by class and by site, lock
 * contention, parking, GC.
 */
package io.metaproxy.bench.profile;
