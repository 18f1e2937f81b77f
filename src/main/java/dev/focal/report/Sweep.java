package dev.focal.report;

import dev.focal.stats.EvalSummary;
import java.util.List;

/**
 * A gamma x alpha sweep of one input, as the sweep report draws it: the swept values, the field
 * the grid shows ({@code metric}, a summary key flattened with dots) and its value per pair
 * ({@code grid[g][a]}: a Long count, a Double, or null where undefined), and each pair's
 * summary, gamma major.
 */
public record Sweep(String input, double[] gammas, double[] alphas, String metric, Number[][] grid,
                    List<EvalSummary> summaries) {
}
