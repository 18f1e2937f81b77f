package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code focal inspect}'s figures of one array against numpy's: nanmin, nanmax, the mean of the
 * finite values widened to float64 (numpy's {@code a[np.isfinite(a)].astype(np.float64).mean()},
 * which here equals the exact {@code math.fsum} mean), and the NaN and infinity counts.
 */
class TensorSummaryTest {
    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    static Tensor doubles(DType dtype, double... values) {
        Tensor t = Tensor.allocate(dtype, Shape.of(values.length));
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    static Tensor bits(DType dtype, long... values) {
        Tensor t = Tensor.allocate(dtype, Shape.of(values.length));
        for (int i = 0; i < values.length; i++) {
            t.setRawBits(i, values[i]);
        }
        return t;
    }

    @Test
    void floatsCountNonFiniteValuesAndAverageTheFiniteOnes() {
        // np.float32([0.1, -2.5, nan, inf, 3.25, -inf, 1e-3]): nanmin -inf, nanmax inf, finite mean 0.2127500003844034.
        TensorSummary s = TensorSummary.of(doubles(DType.FLOAT32, 0.1, -2.5, NAN, INF, 3.25, -INF, 1e-3));
        assertEquals(7, s.count);
        assertEquals(1, s.nan);
        assertEquals(1, s.posInf);
        assertEquals(1, s.negInf);
        assertEquals(-INF, s.min);
        assertEquals(INF, s.max);
        assertEquals(0.2127500003844034, s.mean);
    }

    @Test
    void finiteFloatsKeepTheirExtremes() {
        TensorSummary s = TensorSummary.of(doubles(DType.FLOAT64, 2, NAN, -0.5, 8));
        assertEquals(-0.5, s.min);
        assertEquals(8, s.max);
        assertEquals(3.1666666666666665, s.mean); // np.mean([2, -0.5, 8])
        assertEquals(0, s.posInf + s.negInf);
    }

    @Test
    void noNumberLeavesTheExtremesAndMeanUndefined() {
        TensorSummary allNan = TensorSummary.of(doubles(DType.FLOAT64, NAN, NAN));
        assertEquals(2, allNan.nan);
        assertEquals(NAN, allNan.min);
        assertEquals(NAN, allNan.max);
        assertEquals(NAN, allNan.mean);
        // np.nanmin([nan, inf]) is inf; nothing is finite, so no mean.
        TensorSummary infOnly = TensorSummary.of(doubles(DType.FLOAT64, NAN, INF));
        assertEquals(INF, infOnly.min);
        assertEquals(INF, infOnly.max);
        assertEquals(NAN, infOnly.mean);
        TensorSummary empty = TensorSummary.of(doubles(DType.FLOAT32));
        assertEquals(0, empty.count);
        assertEquals(NAN, empty.min);
        assertEquals(NAN, empty.mean);
        TensorSummary emptyIntegers = TensorSummary.of(bits(DType.UINT64));
        assertEquals(NAN, emptyIntegers.min);
        assertEquals(NAN, emptyIntegers.max);
        assertEquals(NAN, emptyIntegers.mean);
    }

    @Test
    void integersKeepExactExtremes() {
        // np.int64([5, -2**63, 7, -3]): min -2**63, max 7, mean as float64 -2.305843009213694e18.
        TensorSummary s = TensorSummary.of(bits(DType.INT64, 5, Long.MIN_VALUE, 7, -3));
        assertEquals(4, s.count);
        assertEquals(Long.MIN_VALUE, s.minInteger);
        assertEquals(7, s.maxInteger);
        assertEquals(-9.223372036854776e18, s.min);
        assertEquals(7, s.max);
        assertEquals(-2.305843009213694e18, s.mean);
        assertEquals(0, s.nan + s.posInf + s.negInf);
    }

    @Test
    void uint64ComparesUnsignedAndWidensAsNumpy() {
        // np.uint64([3, 2**64 - 1, 2**63 + 1, 7]): min 3, max 2**64 - 1 (float 1.8446744073709552e19),
        // mean as float64 6.917529027641082e18.
        TensorSummary s = TensorSummary.of(bits(DType.UINT64, 3, -1, Long.MIN_VALUE + 1, 7));
        assertEquals(3, s.minInteger);
        assertEquals(-1, s.maxInteger);
        assertEquals(3, s.min);
        assertEquals(1.8446744073709552e19, s.max);
        assertEquals(6.917529027641082e18, s.mean);
        // Both above 2^63: min 2**63 + 1, float(np.uint64(2**63 + 1)) = 9.223372036854776e18.
        TensorSummary high = TensorSummary.of(bits(DType.UINT64, -1, Long.MIN_VALUE + 1));
        assertEquals(Long.MIN_VALUE + 1, high.minInteger);
        assertEquals(9.223372036854776e18, high.min);
        assertEquals(1.8446744073709552e19, high.max);
    }
}
