package dev.focal.tensor;

/**
 * {@link Transposer#SCALAR}: a class of its own rather than a lambda, so that the launcher can
 * name its methods among those the JIT compiles early (a lambda's is called through a generated
 * class that the early compilation of its callers would not inline).
 */
final class ScalarTransposer implements Transposer {
    @Override
    public void toColumns(float[] src, int rows, int width, double[] columns) {
        for (int c = 0; c < width; c++) {
            for (int r = 0, i = c, o = c * rows; r < rows; r++, i += width) {
                columns[o + r] = src[i];
            }
        }
    }

    @Override
    public void toRows(double[] columns, int rows, int width, float[] dst) {
        for (int c = 0; c < width; c++) {
            for (int r = 0, i = c, o = c * rows; r < rows; r++, i += width) {
                float f = (float) columns[o + r];
                dst[i] = f == f ? f : Float.NaN;
            }
        }
    }
}
