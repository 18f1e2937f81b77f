package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/** The evaluation's own threads: a failure in any of them is the evaluation's failure, as it was thrown. */
class FocalEvaluationThreadsTest {
    private static final int ANCHORS = 100_000; // 5 ranges of 21,824 anchors: every thread gets work

    /** A sink that fails on the range starting at element {@code failAt}, with whichever of the two is given. */
    private static TensorSink failingAt(long failAt, RuntimeException runtime, Error error) {
        return sink(start -> {
            if (start == failAt) {
                if (runtime != null) {
                    throw runtime;
                }
                throw error;
            }
        });
    }

    private static FocalEvaluation evaluation() {
        return evaluation(ANCHORS);
    }

    private static FocalEvaluation evaluation(long anchors) {
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(anchors, 3));
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

    /** A float32 sink of {@link #ANCHORS} x 3 that hands each write's first element to {@code write}. */
    private static TensorSink sink(LongConsumer write) {
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
                write.accept(start);
            }
        };
    }

    /**
     * The progress count ends at every element, whatever the ranges: here one anchor short of two
     * whole ranges, so that a count of ranges rounded up once too often would take a range past
     * the end into account.
     */
    @Test
    void theProgressCountEndsAtEveryElement() {
        long anchors = 2 * FocalEvaluation.rangeAnchors(3) - 1;
        for (int threads : new int[] {1, 2}) {
            FocalEvaluation eval = evaluation(anchors);
            assertEquals(0, eval.elementsDone());
            assertEquals(3, eval.classes());
            assertEquals(anchors, eval.anchors());
            eval.run(null, null, 0, threads);
            assertEquals(anchors * 3, eval.elementsDone(), "threads " + threads);
        }
    }

    /**
     * With two threads the caller and a helper each take ranges: the first thread to write waits
     * for a second one, which a pass run by the caller alone would never bring.
     */
    @Test
    void aHelperThreadTakesRangesBesideTheCaller() {
        Set<Thread> writers = ConcurrentHashMap.newKeySet();
        CountDownLatch two = new CountDownLatch(2);
        TensorSink sink = sink(start -> {
            if (writers.add(Thread.currentThread())) {
                two.countDown();
            }
            try {
                if (!two.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("one thread wrote every range");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        evaluation().run(sink, null, 0, 2);
        assertEquals(2, writers.size());
    }

    /**
     * Interrupted while it waits for a helper, the caller stops with the interrupt kept: the
     * helper holds its first range until the end, and the caller is interrupted once the helper
     * has one.
     */
    @Test
    void anInterruptedCallerStopsAndKeepsTheInterrupt() {
        Thread caller = Thread.currentThread();
        CountDownLatch helperWriting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TensorSink sink = sink(start -> {
            try {
                if (Thread.currentThread() == caller) {
                    if (caller.isInterrupted()) {
                        return;
                    }
                    if (!helperWriting.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("no helper took a range");
                    }
                    caller.interrupt();
                } else {
                    helperWriting.countDown();
                    release.await();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> evaluation().run(sink, null, 0, 2));
            assertEquals("interrupted", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            release.countDown();
            Thread.interrupted();
        }
    }
}
