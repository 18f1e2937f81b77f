package dev.focal.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CompareTensorTest {
    static final Tolerance F64 = Tolerance.defaultFor(DType.FLOAT64);
    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    static Tensor of(DType dtype, Shape shape, double... values) {
        Tensor t = Tensor.allocate(dtype, shape);
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    static Tensor longs(DType dtype, long... values) {
        Tensor t = Tensor.allocate(dtype, Shape.of(values.length));
        for (int i = 0; i < values.length; i++) {
            t.setRawBits(i, values[i]);
        }
        return t;
    }

    @Test
    void defaultsAreAssertClosesTheLargerOfTwoDtypes() {
        assertEquals(new Tolerance(1e-3, 1e-5), Tolerance.defaults(DType.FLOAT16, DType.FLOAT32));
        assertEquals(new Tolerance(1.3e-6, 1e-5), Tolerance.defaults(DType.FLOAT64, DType.FLOAT32));
        assertEquals(new Tolerance(1e-7, 1e-7), Tolerance.defaults(DType.FLOAT64, DType.FLOAT64));
        assertEquals(new Tolerance(1.3e-6, 1e-5), Tolerance.defaults(DType.INT64, DType.FLOAT32));
        assertEquals(new Tolerance(0, 0), Tolerance.defaults(DType.INT32, DType.BOOL));
    }

    @Test
    void toleranceRefusesNegativeNanAndInfinity() {
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(-1e-9, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, NAN));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(INF, 0));
    }

    @Test
    void countsIndicesAndValuesOfAFailedComparison() {
        Shape s = Shape.of(2, 3);
        Tensor e = of(DType.FLOAT64, s, 1, 2, 0, 1000, 5, 6);
        Tensor a = of(DType.FLOAT64, s, 1, 2.5, 1e-3, 1000.01, 5, 6);
        ComparisonResult r = TensorComparison.compare(e, a, F64, false);
        assertFalse(r.close());
        assertEquals(6, r.total());
        assertEquals(3, r.mismatched());
        assertArrayEquals(new long[] {0, 1}, r.firstMismatch());
        assertTrue(r.diffsOverMismatched());
        assertEquals(0.5, r.maxAbsDiff().value());
        assertArrayEquals(new long[] {0, 1}, r.maxAbsDiff().index());
        assertEquals(2.0, r.maxAbsDiff().expected());
        assertEquals(2.5, r.maxAbsDiff().actual());
        assertEquals(INF, r.maxRelDiff().value());
        assertArrayEquals(new long[] {0, 2}, r.maxRelDiff().index());
    }

    @Test
    void greatestDifferencesOfAPassingComparisonRangeOverAllPairs() {
        Tensor e = of(DType.FLOAT64, Shape.of(3), 0, 100, 1);
        Tensor a = of(DType.FLOAT64, Shape.of(3), 5e-8, 100 + 1e-6, 1);
        ComparisonResult r = TensorComparison.compare(e, a, F64, false);
        assertTrue(r.close());
        assertFalse(r.diffsOverMismatched());
        assertArrayEquals(new long[] {1}, r.maxAbsDiff().index());
        assertArrayEquals(new long[] {0}, r.maxRelDiff().index(), "an expected 0 within atol: relative inf");
        assertNull(r.firstMismatch());
    }

    @Test
    void tiesKeepTheFirstElementAsTorchMax() {
        Tensor e = of(DType.FLOAT64, Shape.of(4), 1, 1, 1, 1);
        Tensor a = of(DType.FLOAT64, Shape.of(4), 1, 2, 1, 2);
        assertArrayEquals(new long[] {1}, TensorComparison.compare(e, a, F64, false).maxAbsDiff().index());
    }

    @Test
    void nanAndInfinityMismatchesAreCountedApartAndNeedNoTolerance() {
        Tensor e = of(DType.FLOAT32, Shape.of(6), NAN, NAN, 1, INF, INF, -INF);
        Tensor a = of(DType.FLOAT32, Shape.of(6), NAN, 3, NAN, INF, -INF, 7);
        ComparisonResult r = TensorComparison.compare(e, a, Tolerance.defaultFor(DType.FLOAT32), false);
        assertEquals(5, r.mismatched());
        assertEquals(3, r.nanMismatches());
        assertEquals(1, r.nanPairs());
        assertEquals(2, r.infMismatches());
        assertArrayEquals(new long[] {0}, r.firstMismatch());
        assertNull(r.maxAbsDiff(), "no pair of finite values");
        assertTrue(r.minRtol().isEmpty());
        assertTrue(r.minAtol().isEmpty());

        ComparisonResult equalNan = TensorComparison.compare(e, a, Tolerance.defaultFor(DType.FLOAT32), true);
        assertEquals(4, equalNan.mismatched());
        assertEquals(0, equalNan.nanPairs());
    }

    @Test
    void differentShapesCompareNoElement() {
        ComparisonResult r = TensorComparison.compare(Tensor.allocate(DType.FLOAT32, Shape.of(2, 3)),
                Tensor.allocate(DType.FLOAT64, Shape.of(6)), F64, false);
        assertFalse(r.close());
        assertFalse(r.shapesMatch());
        assertEquals(Shape.of(2, 3), r.expectedShape());
        assertEquals(Shape.of(6), r.actualShape());
        assertEquals(0, r.total());
    }

    @Test
    void integersCompareExactlyBeyondTwoToThe53() {
        long big = (1L << 62) + 1;
        ComparisonResult r = TensorComparison.compare(longs(DType.INT64, big), longs(DType.INT64, big - 1),
                Tolerance.defaults(DType.INT64, DType.INT64), false);
        assertEquals(1, r.mismatched());
        assertEquals(1.0, r.maxAbsDiff().value());
        assertEquals(big, r.maxAbsDiff().expected());
        assertEquals(big - 1, r.maxAbsDiff().actual());
        assertEquals(1.0, r.minAtol().getAsDouble());
    }

    @Test
    void uint64AboveInt64AndFullRangeDistances() {
        ComparisonResult r = TensorComparison.compare(longs(DType.UINT64, -1L), longs(DType.INT64, Long.MIN_VALUE),
                new Tolerance(0, 0), false);
        assertEquals(new BigInteger("18446744073709551615"), r.maxAbsDiff().expected());
        assertEquals(Long.MIN_VALUE, r.maxAbsDiff().actual());
        assertEquals(0x1.8p64, r.maxAbsDiff().value(), "2^64 - 1 + 2^63, rounded once");
        assertEquals(0x1p64, TensorComparison.distance(Long.MIN_VALUE, DType.INT64, Long.MAX_VALUE, DType.INT64));
        assertEquals(0x1p63, TensorComparison.distance(0, DType.INT64, Long.MIN_VALUE, DType.INT64));
        assertEquals(3.0, TensorComparison.distance(-1, DType.INT8, 2, DType.UINT8));
    }

    @Test
    void integerAgainstFloatComparesInDouble() {
        ComparisonResult r = TensorComparison.compare(longs(DType.INT32, 3), of(DType.FLOAT32, Shape.of(1), 3.00001f),
                Tolerance.defaults(DType.INT32, DType.FLOAT32), false);
        assertTrue(r.close());
        assertEquals(3L, r.maxAbsDiff().expected());
    }

    @Test
    void smallestTolerancesPassAndTheNextSmallerDoubleFails() {
        Tensor e = of(DType.FLOAT64, Shape.of(4), 1e-6, 3.5, -12345.678, 0.1);
        Tensor a = of(DType.FLOAT64, Shape.of(4), 2e-6, 3.5001, -12345.6, 0.1);
        Tolerance tol = new Tolerance(1e-7, 1e-6);
        ComparisonResult r = TensorComparison.compare(e, a, tol, false);
        double minRtol = r.minRtol().getAsDouble();
        double minAtol = r.minAtol().getAsDouble();
        assertTrue(TensorComparison.compare(e, a, new Tolerance(minRtol, tol.atol()), false).close());
        assertFalse(TensorComparison.compare(e, a, new Tolerance(Math.nextDown(minRtol), tol.atol()), false).close());
        assertTrue(TensorComparison.compare(e, a, new Tolerance(tol.rtol(), minAtol), false).close());
        assertFalse(TensorComparison.compare(e, a, new Tolerance(tol.rtol(), Math.nextDown(minAtol)), false).close());
    }

    @Test
    void noRtolHelpsAnExpectedZeroBeyondAtol() {
        ComparisonResult r = TensorComparison.compare(of(DType.FLOAT64, Shape.of(1), 0), of(DType.FLOAT64, Shape.of(1), 1),
                F64, false);
        assertEquals(INF, r.minRtol().getAsDouble());
        assertEquals(1.0 - 0.0, r.minAtol().getAsDouble());
    }

    @Test
    void leastPassingFindsTheBoundaryFromAnyGuess() {
        double boundary = 0.3;
        for (double guess : new double[] {NAN, -1, 0, 1e-300, 0.2999999, 0.3, 0.31, 1e300}) {
            assertEquals(boundary, LeastPassing.find(x -> x >= boundary, guess), "guess " + guess);
        }
        assertEquals(0.0, LeastPassing.find(x -> true, 5));
        assertEquals(INF, LeastPassing.find(x -> false, 5));
        assertEquals(Double.MIN_VALUE, LeastPassing.find(x -> x > 0, 1));
        assertEquals(Double.MAX_VALUE, LeastPassing.find(x -> x == Double.MAX_VALUE, 1));
    }

    @Test
    void emptyTensorsAreClose() {
        ComparisonResult r = TensorComparison.compare(Tensor.allocate(DType.FLOAT32, Shape.of(0, 3)),
                Tensor.allocate(DType.FLOAT32, Shape.of(0, 3)), F64, false);
        assertTrue(r.close());
        assertEquals(0, r.total());
        assertNull(r.maxAbsDiff());
        assertEquals(0.0, r.minRtol().getAsDouble());
    }

    /** Close only thanks to atol: counted, the first and the relatively farthest of them named. */
    @Test
    void pairsCloseOnlyThroughAtolAreCountedWithTheFirstAndTheFarthest() {
        Tensor e = of(DType.FLOAT64, Shape.of(2, 2), 1, 0.5, 2, 100);
        Tensor a = of(DType.FLOAT64, Shape.of(2, 2), 1.005, 0.5, 2.004, 100.05);
        // |a - e| <= 1e-2 + 1e-3 |e| everywhere; above 1e-3 |e| at [0, 0] and [1, 0] only.
        ComparisonResult r = TensorComparison.compare(e, a, new Tolerance(1e-3, 1e-2), false);
        assertTrue(r.close());
        assertEquals(2, r.atolOnly());
        assertArrayEquals(new long[] {0, 0}, r.firstAtolOnly());
        assertArrayEquals(new long[] {0, 0}, r.maxRelAtolOnly().index());
        assertEquals((1.005 - 1.0) / 1.0, r.maxRelAtolOnly().value());
        assertEquals(1.005, r.maxRelAtolOnly().actual());
        // With no rtol, atol is the whole tolerance: nothing is close "only" through it.
        ComparisonResult atolAlone = TensorComparison.compare(e, a, new Tolerance(0, 1e-1), false);
        assertEquals(0, atolAlone.atolOnly());
        assertNull(atolAlone.firstAtolOnly());
        assertNull(atolAlone.maxRelAtolOnly());
    }

    @Test
    void aResultKeepsWhatWasCompared() {
        ComparisonResult r = TensorComparison.compare(of(DType.FLOAT32, Shape.of(1), 1), longs(DType.INT16, 1), F64, true);
        assertEquals(DType.FLOAT32, r.expectedDtype());
        assertEquals(DType.INT16, r.actualDtype());
        assertTrue(r.equalNan());
        assertEquals(F64, r.tolerance());
        assertFalse(TensorComparison.compare(of(DType.FLOAT32, Shape.of(1), 1), longs(DType.INT16, 1), F64, false)
                .equalNan());
    }

    @Test
    void aNanAndAnInfinityMismatchLeaveNoTolerance() {
        Tensor e = of(DType.FLOAT64, Shape.of(3), NAN, INF, 1);
        Tensor a = of(DType.FLOAT64, Shape.of(3), 1, 1, 1);
        ComparisonResult r = TensorComparison.compare(e, a, F64, false);
        assertEquals(1, r.nanMismatches());
        assertEquals(1, r.infMismatches());
        assertTrue(r.minRtol().isEmpty());
        assertTrue(r.minAtol().isEmpty());
    }

    @Test
    void aUint64ZeroShowsAsALong() {
        ComparisonResult r = TensorComparison.compare(longs(DType.UINT64, 0), longs(DType.UINT64, 2), new Tolerance(0, 0),
                false);
        assertEquals(0L, r.maxAbsDiff().expected());
        assertEquals(2L, r.maxAbsDiff().actual());
    }

    @Test
    void aUint64ActualAboveInt64IsTakenUnsigned() {
        // int64 -1 against uint64 2^64 - 1: 2^64 apart, though their bits are equal.
        assertEquals(0x1p64, TensorComparison.distance(-1, DType.INT64, -1, DType.UINT64));
        assertEquals(0x1p64, TensorComparison.distance(-1, DType.UINT64, -1, DType.INT64));
    }
}
