package dev.focal.loss.vector;

import dev.focal.tensor.Transposer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of three float32 elements, a KITTI head's three classes, turned into columns of doubles in
 * vector lanes: eight rows are three 8 x float vectors, each column is put together from them by
 * three rearranges and two blends and converted to two 4 x double vectors, faster than the
 * scalar loop (BENCHMARKS.md). Other widths take the scalar loop: a width-generic version
 * (shuffles looked up in arrays) measured slower than it. The conversions are written out
 * in place: a helper taking a vector, which C2 left as a call, got it boxed.
 */
public final class VectorTransposer implements Transposer {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final int WIDTH = 3;
    private static final int ROWS = 8;
    /** The rows in each of a column's two 4 x double halves. */
    private static final int HALF = ROWS / 2;

    /** [c * WIDTH + s]: lane j of column c from row vector s, where lane j's element is in s. */
    private final VectorShuffle<Float>[] shuffles;
    private final VectorMask<Float>[] fromSource;

    @SuppressWarnings("unchecked")
    public VectorTransposer() {
        shuffles = (VectorShuffle<Float>[]) new VectorShuffle<?>[WIDTH * WIDTH];
        fromSource = (VectorMask<Float>[]) new VectorMask<?>[WIDTH * WIDTH];
        for (int c = 0; c < WIDTH; c++) {
            for (int s = 0; s < WIDTH; s++) {
                int[] lanes = new int[ROWS];
                boolean[] inSource = new boolean[ROWS];
                for (int j = 0; j < ROWS; j++) {
                    // Lane j of column c holds element WIDTH * j + c of the eight rows.
                    int element = WIDTH * j + c;
                    lanes[j] = element % ROWS;
                    inSource[j] = element / ROWS == s;
                }
                shuffles[c * WIDTH + s] = VectorShuffle.fromArray(FLOATS, lanes, 0);
                fromSource[c * WIDTH + s] = VectorMask.fromArray(FLOATS, inSource, 0);
            }
        }
    }

    @Override
    public void toColumns(float[] src, int rows, int width, double[] columns) {
        if (width != WIDTH) {
            SCALAR.toColumns(src, rows, width, columns);
            return;
        }
        // In locals: C2 then keeps the shuffles and masks in registers across the loop.
        VectorShuffle<Float> s00 = shuffles[0];
        VectorShuffle<Float> s01 = shuffles[1];
        VectorShuffle<Float> s02 = shuffles[2];
        VectorShuffle<Float> s10 = shuffles[3];
        VectorShuffle<Float> s11 = shuffles[4];
        VectorShuffle<Float> s12 = shuffles[5];
        VectorShuffle<Float> s20 = shuffles[6];
        VectorShuffle<Float> s21 = shuffles[7];
        VectorShuffle<Float> s22 = shuffles[8];
        VectorMask<Float> m01 = fromSource[1];
        VectorMask<Float> m02 = fromSource[2];
        VectorMask<Float> m11 = fromSource[4];
        VectorMask<Float> m12 = fromSource[5];
        VectorMask<Float> m21 = fromSource[7];
        VectorMask<Float> m22 = fromSource[8];
        int bound = rows & -ROWS;
        for (int r = 0; r < bound; r += ROWS) {
            int at = r * WIDTH;
            FloatVector a = FloatVector.fromArray(FLOATS, src, at);
            FloatVector b = FloatVector.fromArray(FLOATS, src, at + ROWS);
            FloatVector c = FloatVector.fromArray(FLOATS, src, at + 2 * ROWS);
            // Written out rather than through a helper, which C2 left as a call taking boxed vectors.
            FloatVector c0 = a.rearrange(s00).blend(b.rearrange(s01), m01).blend(c.rearrange(s02), m02);
            FloatVector c1 = a.rearrange(s10).blend(b.rearrange(s11), m11).blend(c.rearrange(s12), m12);
            FloatVector c2 = a.rearrange(s20).blend(b.rearrange(s21), m21).blend(c.rearrange(s22), m22);
            ((DoubleVector) c0.convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(columns, r);
            ((DoubleVector) c0.convertShape(VectorOperators.F2D, DOUBLES, 1)).intoArray(columns, r + HALF);
            ((DoubleVector) c1.convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(columns, rows + r);
            ((DoubleVector) c1.convertShape(VectorOperators.F2D, DOUBLES, 1)).intoArray(columns, rows + r + HALF);
            ((DoubleVector) c2.convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(columns, 2 * rows + r);
            ((DoubleVector) c2.convertShape(VectorOperators.F2D, DOUBLES, 1)).intoArray(columns, 2 * rows + r + HALF);
        }
        for (int c = 0; c < WIDTH; c++) {
            for (int r = bound, i = bound * WIDTH + c; r < rows; r++, i += WIDTH) {
                columns[c * rows + r] = src[i];
            }
        }
    }

    /**
     * The scalar loops: in lanes (two 4 x double halves rounded into one 8 x float per column,
     * rearranged into rows) this measured faster in cache (BENCHMARKS.md), but no faster in the
     * pass, where the copy to the output follows, and the half put in lanes 4 to 7 is a
     * conversion the JDK 17 compiler does not make a single instruction.
     */
    @Override
    public void toRows(double[] columns, int rows, int width, float[] dst) {
        SCALAR.toRows(columns, rows, width, dst);
    }
}
