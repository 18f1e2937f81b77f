package dev.focal.stats;

/**
 * A double sum with Neumaier's compensation: the rounding error of every addition is carried
 * in a second term, so sums over millions of float32 values stay exact to about one double ulp
 * instead of drifting with the count. Non-finite terms are counted apart and give the result
 * IEEE arithmetic would (NaN, or an infinity), without poisoning the compensation.
 */
public final class CompensatedSum {
    private double sum;
    private double compensation;
    private long nan;
    private long posInf;
    private long negInf;

    public void add(double x) {
        if (!Double.isFinite(x)) {
            if (Double.isNaN(x)) {
                nan++;
            } else if (x > 0) {
                posInf++;
            } else {
                negInf++;
            }
            return;
        }
        double t = sum + x;
        if (Math.abs(sum) >= Math.abs(x)) {
            compensation += (sum - t) + x;
        } else {
            compensation += (x - t) + sum;
        }
        sum = t;
    }

    /** Adds another partial sum; merging partial sums in a fixed order keeps results reproducible. */
    public void add(CompensatedSum other) {
        add(other.sum);
        add(other.compensation);
        nan += other.nan;
        posInf += other.posInf;
        negInf += other.negInf;
    }

    public double value() {
        if (nan > 0 || (posInf > 0 && negInf > 0)) {
            return Double.NaN;
        }
        if (posInf > 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (negInf > 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double v = sum + compensation;
        // A finite sum that overflowed leaves the compensation at -inf; the running sum is right then.
        return Double.isNaN(v) ? sum : v;
    }
}
