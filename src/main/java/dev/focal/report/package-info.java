/**
 * The HTML report and its figures: a renderer of {@link dev.focal.stats.EvalSummary}, like the
 * table and the JSON, that knows nothing of files or options. The charting library is loaded
 * only through this package, so that runs without a report never load it.
 */
package dev.focal.report;
