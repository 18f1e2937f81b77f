package dev.focal.report;

import dev.focal.stats.EvalSummary;

/**
 * One dump of a many-dumps eval, as the trend report draws it: its summary, or, for a dump that
 * failed, null and the one-line error.
 */
public record Dump(String file, EvalSummary summary, String error) {
}
