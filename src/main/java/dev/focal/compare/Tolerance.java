package dev.focal.compare;

import dev.focal.tensor.DType;

/**
 * The tolerances of {@code torch.testing.assert_close}: a finite pair of values is close iff
 * {@code |actual - expected| <= atol + rtol * |expected|}, evaluated in double as torch.isclose
 * evaluates it after promoting both sides to float64.
 */
public record Tolerance(double rtol, double atol) {
    public Tolerance {
        if (!(rtol >= 0 && atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("rtol and atol must be finite and >= 0, not " + rtol + ", " + atol);
        }
    }

    /**
     * assert_close's defaults for one dtype (torch 1.13's {@code _DTYPE_PRECISIONS}); integers
     * and bool get (0, 0), so they must be equal.
     */
    public static Tolerance defaultFor(DType dtype) {
        switch (dtype) {
            case FLOAT16: return new Tolerance(1e-3, 1e-5);
            case BFLOAT16: return new Tolerance(1.6e-2, 1e-5);
            case FLOAT32: return new Tolerance(1.3e-6, 1e-5);
            case FLOAT64: return new Tolerance(1e-7, 1e-7);
            default: return new Tolerance(0, 0);
        }
    }

    /** The defaults for a pair of dtypes: the larger rtol and the larger atol of the two, as torch takes them. */
    public static Tolerance defaults(DType expected, DType actual) {
        Tolerance e = defaultFor(expected);
        Tolerance a = defaultFor(actual);
        return new Tolerance(Math.max(e.rtol, a.rtol), Math.max(e.atol, a.atol));
    }

    /** Whether {@code diff = |actual - expected|} of two finite values is within this tolerance. */
    public boolean allows(double diff, double expected) {
        return within(diff, Math.abs(expected), rtol, atol);
    }

    /**
     * torch.isclose's test, operation for operation: an infinite difference (two finite values
     * overflowing) is never close, even when the allowed error overflows too.
     */
    static boolean within(double diff, double absExpected, double rtol, double atol) {
        return Double.isFinite(diff) && diff <= atol + rtol * absExpected;
    }
}
