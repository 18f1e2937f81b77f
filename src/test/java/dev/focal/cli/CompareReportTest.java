package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.compare.TensorComparison;
import dev.focal.compare.Tolerance;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CompareReportTest {
    @Test
    void valuesShowTheDigitsTheirDtypeHolds() {
        assertEquals("1.0000001", CompareReport.value((double) Math.nextUp(1f), DType.FLOAT32));
        assertEquals("1.0000000000000002", CompareReport.value(Math.nextUp(1.0), DType.FLOAT64));
        assertEquals("-12345.678", CompareReport.value((double) -12345.678f, DType.FLOAT32));
        assertEquals("1e-05", CompareReport.value((double) 1e-5f, DType.FLOAT32));
        assertEquals("1e+20", CompareReport.value(1e20, DType.FLOAT64));
        assertEquals("-0.0", CompareReport.value(-0.0, DType.FLOAT64));
        assertEquals("nan", CompareReport.value(Double.NaN, DType.FLOAT16));
        assertEquals("-inf", CompareReport.value(Double.NEGATIVE_INFINITY, DType.FLOAT64));
        assertEquals("9223372036854775807", CompareReport.value(Long.MAX_VALUE, DType.INT64));
        assertEquals("18446744073709551615", CompareReport.value(new BigInteger("18446744073709551615"), DType.UINT64));
        assertEquals("True", CompareReport.value(1L, DType.BOOL));
    }

    @Test
    void tolerancesReadAsPythonWritesThem() {
        assertEquals("1.3e-06", CompareReport.shortest(1.3e-6));
        assertEquals("1e-05", CompareReport.shortest(1e-5));
        assertEquals("0.001", CompareReport.shortest(1e-3));
        assertEquals("0.0", CompareReport.shortest(0));
        assertEquals("100.0", CompareReport.shortest(100));
    }

    @Test
    void suggestionsRoundUpSoTheyStillPass() {
        assertEquals(1.35e-6, CompareReport.roundUp(1.3495849609375e-06));
        assertEquals(1e-5, CompareReport.roundUp(1e-5), "a value with three digits or fewer stays");
        assertEquals(0.00636, CompareReport.roundUp(0.006357485));
        for (double v : new double[] {1.2962123325892853e-06, 9.999999925307645e-06, 2.168404344971009e-19, 3.6559999}) {
            assertTrue(CompareReport.roundUp(v) >= v, "roundUp(" + v + ")");
        }
    }

    @Test
    void aFewMismatchesAmongManyAreNotZeroPercent() {
        Tensor e = Tensor.allocate(DType.FLOAT32, Shape.of(100_000));
        Tensor a = Tensor.allocate(DType.FLOAT32, Shape.of(100_000));
        a.setDouble(99_999, 1);
        CompareReport report = new CompareReport("e.npy", "a.npy",
                TensorComparison.compare(e, a, Tolerance.defaults(DType.FLOAT32, DType.FLOAT32), false));
        assertEquals("1 of 100,000 elements (<0.01%) differ beyond rtol=1.3e-06, atol=1e-05", report.headline());
    }
}
