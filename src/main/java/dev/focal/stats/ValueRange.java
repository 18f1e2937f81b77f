package dev.focal.stats;

/**
 * The smallest and largest value of a run of inputs, NaN aside, and whether every value was 0
 * or 1: what the summary's sanity warnings need (targets outside [0, 1], logits that look like
 * targets). Min and max do not depend on the order of the values, so ranges merge exactly.
 */
public final class ValueRange {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private boolean onlyZeroOrOne = true;
    private long count;

    /** Adds the first {@code n} values of {@code a}. */
    public void add(double[] a, int n) {
        double lo = min;
        double hi = max;
        boolean binary = onlyZeroOrOne;
        for (int i = 0; i < n; i++) {
            double v = a[i];
            // Comparisons with NaN are false: NaN changes neither bound, and is not 0 or 1.
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            binary &= v == 0 | v == 1;
        }
        min = lo;
        max = hi;
        onlyZeroOrOne = binary;
        count += n;
    }

    public void merge(ValueRange o) {
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        onlyZeroOrOne &= o.onlyZeroOrOne;
        count += o.count;
    }

    /** The smallest value that is not NaN; +inf when there is none. */
    public double min() {
        return min;
    }

    /** The largest value that is not NaN; -inf when there is none. */
    public double max() {
        return max;
    }

    /** Whether there were values and every one was exactly 0 or 1. */
    public boolean onlyZeroOrOne() {
        return count > 0 && onlyZeroOrOne;
    }
}
