package dev.focal.tensor;

/**
 * Turns rows of float32 elements, as a C-order tensor stores them, into columns of doubles, as the
 * loss's blocks hold them: {@code columns[c * rows + r] = src[r * width + c]}. The conversion is
 * exact, so every implementation gives the same values (a NaN stays NaN, though its payload may
 * not survive); they differ in speed: {@link #SCALAR}, and a vector one where the JDK's incubating
 * Vector API is present, which the loss kernel supplies.
 */
public interface Transposer {
    /** Rows {@code 0..rows-1} of {@code width} elements each. */
    void toColumns(float[] src, int rows, int width, double[] columns);

    /** The loop over rows, column by column. */
    Transposer SCALAR = new ScalarTransposer();
}
