package dev.focal.tensor;

/**
 * Where computed elements go, in C order: a heap tensor, or a file being written. Writers of
 * disjoint ranges may run on different threads at once.
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
}
