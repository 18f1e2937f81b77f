package dev.focal.loss.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.tensor.Transposer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector transposer against the definition, element by element and bit for bit (NaN payloads aside). */
class VectorTransposerTest {
    @Test
    void columnsHoldEveryRowsElementsBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] odd = {0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fa00001), Float.intBitsToFloat(0xffc12345)};
        Transposer vector = new VectorKernel().transposer();
        int compared = 0;
        for (int width = 1; width <= 5; width++) {
            // Row counts with and without a tail past the last group of eight rows, and a block's.
            for (int rows : new int[] {0, 1, 7, 8, 9, 16, 23, 1364}) {
                float[] src = new float[rows * width];
                for (int i = 0; i < src.length; i++) {
                    src[i] = rnd.nextInt(4) == 0 ? odd[rnd.nextInt(odd.length)] : (float) rnd.nextDouble(-8, 8);
                }
                double[] columns = new double[src.length + 3];
                columns[src.length] = 42;
                // A block's many times: interpreted vector code computes in Java, compiled code in
                // instructions, and both must be right.
                for (int repeat = rows == 1364 ? 3000 : 1; repeat > 0; repeat--) {
                    vector.toColumns(src, rows, width, columns);
                }
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < width; c++) {
                        double expected = src[r * width + c];
                        // doubleToLongBits: a NaN stays NaN, its payload may not (Transposer).
                        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(columns[c * rows + r]),
                                "row " + r + ", column " + c + " of " + rows + " x " + width);
                        compared++;
                    }
                }
                assertEquals(42, columns[src.length], "nothing written past the block");
            }
        }
        assertEquals((1 + 2 + 3 + 4 + 5) * 1428, compared);
    }
}
