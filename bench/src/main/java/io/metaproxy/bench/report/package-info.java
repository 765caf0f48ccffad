/**
 * Results: one CSV row per measured step ({@link io.metaproxy.bench.report.StepRecord}, appended by each scenario's
 * load run), and the report built from all rows of a session: a text table with ratios against the baseline
 * (HAProxy), the same as CSV and JSON, the budget checks (measured, never asserted) and a PNG of latency against
 * offered load drawn with plain Java2D.
 */
package io.metaproxy.bench.report;
