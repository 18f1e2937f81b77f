package dev.focal.tensor;

/**
 * Moves a block of elements between rows of float32 values, as a C-order tensor stores them, and
 * columns of doubles, as the loss's blocks hold them: row r's element c is
 * {@code columns[c * rows + r]}. Implementations differ in speed, not in results: {@link #SCALAR},
 * and a vector one where the JDK's incubating Vector API is present, which the loss kernel
 * supplies.
 */
public interface Transposer {
    /**
     * {@code columns[c * rows + r] = src[r * width + c]} for rows {@code 0..rows-1}: exact, so
     * every implementation gives the same values (a NaN stays NaN, though its payload may not
     * survive).
     */
    void toColumns(float[] src, int rows, int width, double[] columns);

    /**
     * {@code dst[r * width + c] = (float) columns[c * rows + r]}, rounded to nearest, and every
     * NaN written as numpy's {@code np.nan} (0x7fc00000): the sign and payload a NaN picks up in
     * arithmetic depend on the code that computed it (interpreter, C1, C2, vector lanes, so JIT
     * timing), and an output must be the same bytes on every run. Every implementation gives the
     * same bits.
     */
    void toRows(double[] columns, int rows, int width, float[] dst);

    /** Loops over rows, column by column. */
    Transposer SCALAR = new ScalarTransposer();
}
