package dev.focal.stats;

/**
 * What the summary's sanity warnings need to know of a run of inputs: the smallest and largest
 * value, NaN aside (targets outside [0, 1]), and whether every value is 0 or 1 (logits that are
 * targets). Each is asked only of the input it concerns, so the pass pays a loop over one array
 * of each block, and the 0-or-1 test stops at the first real logit. Min, max and "every value"
 * do not depend on the order of the values, so ranges merge exactly.
 */
public final class ValueRange {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private boolean onlyZeroOrOne = true;
    private boolean sawZero;
    private boolean sawOne;

    /** Takes the first {@code n} values of {@code a} into the bounds. */
    public void addBounds(double[] a, int n) {
        double lo = min;
        double hi = max;
        // Math.min and max reduce in vector lanes, but a NaN wins them (both: lo is NaN exactly
        // when hi is): then again, skipping NaN.
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, a[i]);
            hi = Math.max(hi, a[i]);
        }
        if (Double.isNaN(lo)) {
            lo = min;
            hi = max;
            for (int i = 0; i < n; i++) {
                double v = a[i];
                // Comparisons with NaN are false: NaN changes neither bound.
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        min = lo;
        max = hi;
    }

    /** Takes the first {@code n} values of {@code a} into the 0-or-1 test; nothing once it has failed. */
    public void addZeroOrOne(double[] a, int n) {
        for (int i = 0; i < n && onlyZeroOrOne; i++) {
            double v = a[i];
            sawZero |= v == 0;
            sawOne |= v == 1;
            onlyZeroOrOne = v == 0 || v == 1;
        }
    }

    public void merge(ValueRange o) {
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        onlyZeroOrOne &= o.onlyZeroOrOne;
        sawZero |= o.sawZero;
        sawOne |= o.sawOne;
    }

    /** The smallest value that is not NaN; +inf when there is none. */
    public double min() {
        return min;
    }

    /** The largest value that is not NaN; -inf when there is none. */
    public double max() {
        return max;
    }

    /** Whether every value was 0 or 1, and both occurred: what one-hot targets look like. */
    public boolean zerosAndOnesOnly() {
        return onlyZeroOrOne && sawZero && sawOne;
    }
}
