package dev.focal.stats;

import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;

/**
 * What {@code focal inspect} reports about one array: NaN-ignoring min and max (as numpy's
 * nanmin/nanmax), the mean of the finite values, and counts of NaN and infinities. Integer
 * arrays keep exact integer extremes.
 */
public final class TensorSummary {
    public final long count;
    public final long nan;
    public final long posInf;
    public final long negInf;
    /** Extremes as doubles; NaN when there is no non-NaN value. */
    public final double min;
    public final double max;
    /** Exact extremes of integer arrays (uint64 as bit patterns); unused for floats. */
    public final long minInteger;
    public final long maxInteger;
    /** Mean of the finite values; NaN when there are none. */
    public final double mean;

    private TensorSummary(long count, long nan, long posInf, long negInf, double min, double max,
                          long minInteger, long maxInteger, double mean) {
        this.count = count;
        this.nan = nan;
        this.posInf = posInf;
        this.negInf = negInf;
        this.min = min;
        this.max = max;
        this.minInteger = minInteger;
        this.maxInteger = maxInteger;
        this.mean = mean;
    }

    public static TensorSummary of(Tensor t) {
        return t.dtype().isFloat() ? ofFloats(t) : ofIntegers(t);
    }

    private static TensorSummary ofFloats(Tensor t) {
        long n = t.count();
        long nan = 0;
        long posInf = 0;
        long negInf = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            double v = t.getDouble(i);
            if (Double.isNaN(v)) {
                nan++;
                continue;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (v == Double.POSITIVE_INFINITY) {
                posInf++;
            } else if (v == Double.NEGATIVE_INFINITY) {
                negInf++;
            } else {
                sum.add(v);
            }
        }
        long finite = n - nan - posInf - negInf;
        boolean any = n - nan > 0;
        return new TensorSummary(n, nan, posInf, negInf, any ? min : Double.NaN, any ? max : Double.NaN,
                0, 0, finite > 0 ? sum.value() / finite : Double.NaN);
    }

    private static TensorSummary ofIntegers(Tensor t) {
        long n = t.count();
        boolean unsigned = t.dtype() == DType.UINT64;
        long min = 0;
        long max = 0;
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            long v = t.getLong(i);
            if (i == 0) {
                min = v;
                max = v;
            } else if (unsigned) {
                min = Long.compareUnsigned(v, min) < 0 ? v : min;
                max = Long.compareUnsigned(v, max) > 0 ? v : max;
            } else {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            sum.add(t.getDouble(i));
        }
        double mean = n > 0 ? sum.value() / n : Double.NaN;
        double minD = n > 0 ? (unsigned ? unsignedToDouble(min) : min) : Double.NaN;
        double maxD = n > 0 ? (unsigned ? unsignedToDouble(max) : max) : Double.NaN;
        return new TensorSummary(n, 0, 0, 0, minD, maxD, min, max, mean);
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1 | (v & 1)) * 2.0;
    }
}
