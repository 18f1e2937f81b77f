package dev.focal.compare;

import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.math.BigInteger;

/**
 * Compares two tensors element by element as {@code torch.testing.assert_close} does with
 * {@code check_dtype=False}: floats in double (which every float dtype widens to exactly),
 * integers and bools exactly, in one pass over the elements.
 */
public final class TensorComparison {
    private TensorComparison() {
    }

    public static ComparisonResult compare(Tensor expected, Tensor actual, Tolerance tolerance, boolean equalNan) {
        if (!expected.shape().equals(actual.shape())) {
            return new ComparisonResult(expected, actual, tolerance, equalNan, null);
        }
        Tally tally = new Tally(tolerance);
        long n = expected.count();
        if (!expected.dtype().isFloat() && !actual.dtype().isFloat()) {
            // Differences of int64 values need not fit a double; take them exactly, round once.
            for (long i = 0; i < n; i++) {
                double distance = distance(expected.getLong(i), expected.dtype(), actual.getLong(i), actual.dtype());
                tally.finite(i, expected.getDouble(i), distance);
            }
        } else {
            for (long i = 0; i < n; i++) {
                double e = expected.getDouble(i);
                double a = actual.getDouble(i);
                if (Double.isFinite(e) && Double.isFinite(a)) {
                    tally.finite(i, e, Math.abs(a - e));
                } else {
                    tally.nonFinite(i, e, a, equalNan);
                }
            }
        }
        return new ComparisonResult(expected, actual, tolerance, equalNan, tally);
    }

    /** |a - e| of two integers as getLong returns them (uint64 as its bit pattern), rounded once to double. */
    static double distance(long e, DType eType, long a, DType aType) {
        boolean eLarge = eType == DType.UINT64 && e < 0;
        boolean aLarge = aType == DType.UINT64 && a < 0;
        long d = a - e;
        boolean overflow = ((a ^ e) & (a ^ d)) < 0;
        if (!eLarge && !aLarge && !overflow) {
            return Math.abs((double) d);
        }
        return big(a, aLarge).subtract(big(e, eLarge)).abs().doubleValue();
    }

    private static BigInteger big(long v, boolean unsigned) {
        return unsigned ? new BigInteger(Long.toUnsignedString(v)) : BigInteger.valueOf(v);
    }
}
