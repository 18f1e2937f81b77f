package dev.focal.loss.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.tensor.Transposer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector transposer's columns against the definition, element by element and bit for bit (NaN
 * payloads aside), in each form its code takes: interpreted (the Vector API's Java fallback),
 * compiled by C2 as a method, and compiled by C2 inlined into a hot loop. (Its rows are the
 * scalar loops': TransposerTest.)
 */
class VectorTransposerTest {
    /** Calls of a block in one loop: C2 compiles the loop with the call inlined well before. */
    private static final int REPEATS = 50_000;
    /**
     * Row counts with and without a tail past the last group of eight rows, and a block's (with
     * three classes, the vector path's width, it is also run compiled).
     */
    private static final int[] ROWS = {0, 1, 7, 8, 9, 16, 23, 1364};
    private static final int BLOCK = 1364;

    private final Transposer vector = new VectorTransposer();

    @Test
    void columnsHoldEveryRowsElementsBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] odd = {0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fa00001), Float.intBitsToFloat(0xffc12345)};
        int compared = 0;
        for (int width = 1; width <= 5; width++) {
            for (int rows : ROWS) {
                float[] src = new float[rows * width];
                for (int i = 0; i < src.length; i++) {
                    src[i] = rnd.nextInt(4) == 0 ? odd[rnd.nextInt(odd.length)] : (float) rnd.nextDouble(-8, 8);
                }
                double[] columns = new double[src.length + 3];
                columns[src.length] = 42;
                vector.toColumns(src, rows, width, columns);
                compared += checkColumns(src, rows, width, columns, "interpreted");
                if (rows == BLOCK && width == 3) {
                    java.util.Arrays.fill(columns, 0, src.length, -1);
                    repeatToColumns(vector, src, rows, width, columns, REPEATS);
                    checkColumns(src, rows, width, columns, "inlined in a compiled loop");
                    java.util.Arrays.fill(columns, 0, src.length, -1);
                    vector.toColumns(src, rows, width, columns);
                    checkColumns(src, rows, width, columns, "compiled");
                }
                assertEquals(42, columns[src.length], "nothing written past the block");
            }
        }
        assertEquals((1 + 2 + 3 + 4 + 5) * 1428, compared);
    }

    /** Columns back into rows, rounded to float32: the scalar loop's bits (Java's cast, round to nearest). */
    @Test
    void rowsHoldEveryColumnsElementsRoundedToFloat() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int width : new int[] {1, 3, 5}) {
            int rows = 37;
            double[] columns = new double[rows * width];
            for (int i = 0; i < columns.length; i++) {
                columns[i] = rnd.nextGaussian() * 1e3;
            }
            float[] dst = new float[columns.length];
            new VectorTransposer().toRows(columns, rows, width, dst);
            for (int c = 0; c < width; c++) {
                for (int r = 0; r < rows; r++) {
                    assertEquals((float) columns[c * rows + r], dst[r * width + c], "width " + width);
                }
            }
        }
    }

    private static void repeatToColumns(Transposer t, float[] src, int rows, int width, double[] columns, int times) {
        for (int i = 0; i < times; i++) {
            t.toColumns(src, rows, width, columns);
        }
    }

    private static int checkColumns(float[] src, int rows, int width, double[] columns, String how) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                // doubleToLongBits: a NaN stays NaN, its payload may not (Transposer).
                assertEquals(Double.doubleToLongBits(src[r * width + c]),
                        Double.doubleToLongBits(columns[c * rows + r]),
                        "row " + r + ", column " + c + " of " + rows + " x " + width + ", " + how);
            }
        }
        return rows * width;
    }
}
