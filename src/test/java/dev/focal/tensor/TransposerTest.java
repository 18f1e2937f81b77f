package dev.focal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scalar transposer: columns as laid out, rows rounded to float32 bit for bit, NaN as numpy's. */
class TransposerTest {
    @Test
    void columnsHoldEveryRowsElements() {
        double[] columns = new double[6];
        Transposer.SCALAR.toColumns(new float[] {1, 2, 3, 4, 5, 6}, 2, 3, columns);
        assertEquals("[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]", Arrays.toString(columns));
    }

    @Test
    void rowsAreRoundedToNearestBitForBitWithEveryNaNAsNumpysNan() {
        SplittableRandom rnd = new SplittableRandom(12);
        double halfway = 1.0 + Math.ulp(1.0f) / 2; // a tie, which rounds to even
        double[] odd = {0.0, -0.0, halfway, -halfway, Double.MIN_VALUE, 0x1p-149 * 1.5, 0x1p-150, 1e39, -1e39,
            Float.MAX_VALUE, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
            Double.longBitsToDouble(0xfff0000000000001L), Double.longBitsToDouble(0x7ff4000000abcdefL)};
        int nans = 0;
        for (int width = 1; width <= 5; width++) {
            for (int rows : new int[] {0, 1, 7, 8, 9, 1364}) {
                double[] columns = new double[rows * width];
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = rnd.nextInt(4) == 0 ? odd[rnd.nextInt(odd.length)]
                            : rnd.nextDouble(-8, 8) * Math.scalb(1.0, rnd.nextInt(-150, 130));
                }
                float[] dst = new float[columns.length + 1];
                dst[columns.length] = 42;
                Transposer.SCALAR.toRows(columns, rows, width, dst);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < width; c++) {
                        float f = (float) columns[c * rows + r];
                        int expected = f == f ? Float.floatToRawIntBits(f) : 0x7fc00000;
                        assertEquals(expected, Float.floatToRawIntBits(dst[r * width + c]),
                                "row " + r + ", column " + c + " of " + rows + " x " + width);
                        nans += f == f ? 0 : 1;
                    }
                }
                assertEquals(42, dst[columns.length], "nothing written past the block");
            }
        }
        assertTrue(nans > 100, "NaNs of either sign and several payloads compared: " + nans);
    }
}
