package dev.focal.loss.vector;

import dev.focal.tensor.Transposer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of three float32 elements, a KITTI head's three classes, to columns of doubles and back in
 * vector lanes: eight rows are three 8 x float vectors, and each column (or row vector) is put
 * together from them by three rearranges and two blends; conversions go between one 8 x float
 * and two 4 x double vectors. Per element, in cache: to columns ~0.55 against ~1.0 ns for the
 * scalar loops, to rows ~1.0 against ~1.5. Other widths take the scalar loops: a width-generic
 * version (shuffles looked up in arrays) measured slower than them. Helpers taking vectors are
 * written out in place, since C2 left them as calls taking boxed vectors.
 */
final class VectorTransposer implements Transposer {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final int WIDTH = 3;
    private static final int ROWS = 8;
    /** The rows in each of a column's two 4 x double halves. */
    private static final int HALF = ROWS / 2;

    /** [c * WIDTH + s]: lane j of column c from row vector s, where lane j's element is in s. */
    private final VectorShuffle<Float>[] shuffles;
    private final VectorMask<Float>[] fromSource;
    /** [s * WIDTH + c]: lane k of row vector s from column c, where lane k's element is in c. */
    private final VectorShuffle<Float>[] rowShuffles;
    private final VectorMask<Float>[] fromColumn;
    /** Lanes 4 to 7, where the second 4 x double half of a column goes. */
    private final VectorMask<Float> upperHalf;

    @SuppressWarnings("unchecked")
    VectorTransposer() {
        shuffles = new VectorShuffle[WIDTH * WIDTH];
        fromSource = new VectorMask[WIDTH * WIDTH];
        rowShuffles = new VectorShuffle[WIDTH * WIDTH];
        fromColumn = new VectorMask[WIDTH * WIDTH];
        for (int c = 0; c < WIDTH; c++) {
            for (int s = 0; s < WIDTH; s++) {
                int[] lanes = new int[ROWS];
                boolean[] inSource = new boolean[ROWS];
                int[] rowLanes = new int[ROWS];
                boolean[] inColumn = new boolean[ROWS];
                for (int j = 0; j < ROWS; j++) {
                    // Lane j of column c holds element WIDTH * j + c of the eight rows...
                    int element = WIDTH * j + c;
                    lanes[j] = element % ROWS;
                    inSource[j] = element / ROWS == s;
                    // ... and lane j of row vector s holds element ROWS * s + j.
                    int held = ROWS * s + j;
                    rowLanes[j] = held / WIDTH;
                    inColumn[j] = held % WIDTH == c;
                }
                shuffles[c * WIDTH + s] = VectorShuffle.fromArray(FLOATS, lanes, 0);
                fromSource[c * WIDTH + s] = VectorMask.fromArray(FLOATS, inSource, 0);
                rowShuffles[s * WIDTH + c] = VectorShuffle.fromArray(FLOATS, rowLanes, 0);
                fromColumn[s * WIDTH + c] = VectorMask.fromArray(FLOATS, inColumn, 0);
            }
        }
        upperHalf = VectorMask.fromLong(FLOATS, 0xF0);
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

    @Override
    public void toRows(double[] columns, int rows, int width, float[] dst) {
        if (width != WIDTH) {
            SCALAR.toRows(columns, rows, width, dst);
            return;
        }
        VectorShuffle<Float> s00 = rowShuffles[0];
        VectorShuffle<Float> s01 = rowShuffles[1];
        VectorShuffle<Float> s02 = rowShuffles[2];
        VectorShuffle<Float> s10 = rowShuffles[3];
        VectorShuffle<Float> s11 = rowShuffles[4];
        VectorShuffle<Float> s12 = rowShuffles[5];
        VectorShuffle<Float> s20 = rowShuffles[6];
        VectorShuffle<Float> s21 = rowShuffles[7];
        VectorShuffle<Float> s22 = rowShuffles[8];
        VectorMask<Float> m01 = fromColumn[1];
        VectorMask<Float> m02 = fromColumn[2];
        VectorMask<Float> m11 = fromColumn[4];
        VectorMask<Float> m12 = fromColumn[5];
        VectorMask<Float> m21 = fromColumn[7];
        VectorMask<Float> m22 = fromColumn[8];
        VectorMask<Float> upper = upperHalf;
        int bound = rows & -ROWS;
        for (int r = 0; r < bound; r += ROWS) {
            // Each column's eight rows: two 4 x double halves rounded into one 8 x float, NaN np.nan.
            FloatVector c0 = ((FloatVector) DoubleVector.fromArray(DOUBLES, columns, r)
                    .convertShape(VectorOperators.D2F, FLOATS, 0))
                    .blend((FloatVector) DoubleVector.fromArray(DOUBLES, columns, r + HALF)
                            .convertShape(VectorOperators.D2F, FLOATS, -1), upper);
            FloatVector c1 = ((FloatVector) DoubleVector.fromArray(DOUBLES, columns, rows + r)
                    .convertShape(VectorOperators.D2F, FLOATS, 0))
                    .blend((FloatVector) DoubleVector.fromArray(DOUBLES, columns, rows + r + HALF)
                            .convertShape(VectorOperators.D2F, FLOATS, -1), upper);
            FloatVector c2 = ((FloatVector) DoubleVector.fromArray(DOUBLES, columns, 2 * rows + r)
                    .convertShape(VectorOperators.D2F, FLOATS, 0))
                    .blend((FloatVector) DoubleVector.fromArray(DOUBLES, columns, 2 * rows + r + HALF)
                            .convertShape(VectorOperators.D2F, FLOATS, -1), upper);
            c0 = c0.blend(Float.NaN, c0.compare(VectorOperators.NE, c0));
            c1 = c1.blend(Float.NaN, c1.compare(VectorOperators.NE, c1));
            c2 = c2.blend(Float.NaN, c2.compare(VectorOperators.NE, c2));
            int at = r * WIDTH;
            c0.rearrange(s00).blend(c1.rearrange(s01), m01).blend(c2.rearrange(s02), m02).intoArray(dst, at);
            c0.rearrange(s10).blend(c1.rearrange(s11), m11).blend(c2.rearrange(s12), m12).intoArray(dst, at + ROWS);
            c0.rearrange(s20).blend(c1.rearrange(s21), m21).blend(c2.rearrange(s22), m22)
                    .intoArray(dst, at + 2 * ROWS);
        }
        for (int c = 0; c < WIDTH; c++) {
            for (int r = bound, i = bound * WIDTH + c; r < rows; r++, i += WIDTH) {
                float f = (float) columns[c * rows + r];
                dst[i] = f == f ? f : Float.NaN;
            }
        }
    }
}
