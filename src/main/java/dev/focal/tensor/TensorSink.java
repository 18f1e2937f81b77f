package dev.focal.tensor;

/**
 * Where computed elements go, in C order: a heap tensor, or a file being written. Writers of
 * disjoint ranges may run on different threads at once.
 */
public interface TensorSink {
    DType dtype();

    Shape shape();

    /** Stores {@code n} values from {@code src}, rounded to the sink's dtype, from C-order index {@code start}. */
    void writeDoubles(long start, double[] src, int n);
}
