package dev.focal.tensor;

/**
 * Where computed elements go, in C order: a heap tensor, or a file being written. Writers of
 * disjoint ranges may run on different threads at once. A NaN is stored as numpy's
 * {@code np.nan}, whatever its sign and payload (see {@link Transposer#toRows}).
 */
public interface TensorSink {
    DType dtype();

    Shape shape();

    /**
     * Stores {@code rows} rows of {@code width} values held column by column, rounded to the
     * sink's dtype, from C-order index {@code start}: {@code columns[c * rows + r]} goes to
     * {@code start + r * width + c}.
     */
    void writeColumns(long start, double[] columns, int rows, int width);

    /**
     * Stores {@code n} float32 values from C-order index {@code start}, as they are (a float32
     * sink's path: {@link Transposer#toRows} has rounded them and made every NaN np.nan).
     */
    void writeFloats(long start, float[] src, int n);
}
