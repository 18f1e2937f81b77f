package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import org.junit.jupiter.api.Test;

/** The evaluation's own threads: a failure in any of them is the evaluation's failure, as it was thrown. */
class FocalEvaluationThreadsTest {
    private static final int ANCHORS = 100_000; // 5 ranges of 21,824 anchors: every thread gets work

    /** A sink that fails on the range starting at element {@code failAt}, with whichever of the two is given. */
    private static TensorSink failingAt(long failAt, RuntimeException runtime, Error error) {
        return new TensorSink() {
            @Override
            public DType dtype() {
                return DType.FLOAT32;
            }

            @Override
            public Shape shape() {
                return Shape.of(ANCHORS, 3);
            }

            @Override
            public void writeColumns(long start, double[] columns, int rows, int width) {
                throw new AssertionError("a float32 sink gets floats");
            }

            @Override
            public void writeFloats(long start, float[] src, int n) {
                if (start == failAt) {
                    if (runtime != null) {
                        throw runtime;
                    }
                    throw error;
                }
            }
        };
    }

    private static FocalEvaluation evaluation() {
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(ANCHORS, 3));
        Tensor targets = Tensor.allocate(DType.FLOAT32, logits.shape());
        for (long i = 0; i < logits.count(); i++) {
            logits.setDouble(i, (i % 17) - 8);
        }
        return new FocalEvaluation(new EvalInputs(logits, "l", targets, "t", null, "w"), 2, 0.25, 1, 0,
                Kernels.polynomial());
    }

    @Test
    void aWorkersExceptionReachesTheCallerUnwrapped() {
        for (int threads : new int[] {1, 2, 3}) {
            FocalException disk = FocalException.output("out.npy", "cannot write: disk full", null);
            TensorSink sink = failingAt(3 * FocalEvaluation.rangeAnchors(3) * 3, disk, null);
            FocalException thrown = assertThrows(FocalException.class, () -> evaluation().run(sink, null, 0, threads));
            assertSame(disk, thrown, "threads " + threads);
        }
    }

    @Test
    void aWorkersErrorReachesTheCallerAsThatError() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        TensorSink sink = failingAt(4 * FocalEvaluation.rangeAnchors(3) * 3, null, oom);
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> evaluation().run(sink, null, 0, 2)));
    }
}
