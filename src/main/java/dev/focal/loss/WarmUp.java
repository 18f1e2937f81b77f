package dev.focal.loss;

import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Compiles the evaluation path while the command line is still being parsed. A process
 * evaluating a big input spends its first ~0.2 s single-threaded (JVM, picocli, headers) and
 * would then run the loss in the interpreter until the JIT's optimising compiler has caught up,
 * which for the vector kernel takes about half a second of two cores. Running the same code on
 * a small synthetic input on another thread meanwhile gets it compiled before the data arrives.
 * The synthetic tensors live in direct buffers, as mapped files do, so the compiled code is
 * specialised for the buffers it will really see. Results never depend on it: it only heats code.
 */
public final class WarmUp {
    private static final int ANCHORS = 1 << 13;
    private static final int CLASSES = 3;
    /** Enough to pass the JIT's thresholds; a cap in case the real work never starts. */
    private static final int MAX_ROUNDS = 200;
    private static volatile boolean stopped;
    private static Thread thread;

    private WarmUp() {
    }

    /** Starts warming the kernel that {@link Kernels#choose} picks for a big float32 input; once per JVM. */
    public static synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = new Thread(WarmUp::heat, "focal-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** The real work is starting: give the cores back. */
    public static void stop() {
        stopped = true;
    }

    private static void heat() {
        Tensor logits = direct(Shape.of(ANCHORS, CLASSES));
        Tensor targets = direct(Shape.of(ANCHORS, CLASSES));
        Tensor weights = direct(Shape.of(ANCHORS));
        Tensor loss = direct(Shape.of(ANCHORS, CLASSES));
        for (int a = 0; a < ANCHORS; a++) {
            weights.setDouble(a, a % 37 == 0 ? 0 : 0.01);
            for (int c = 0; c < CLASSES; c++) {
                int i = a * CLASSES + c;
                logits.setDouble(i, (i % 97) * 0.1 - 6);
                targets.setDouble(i, a % 53 == c ? 1 : 0);
            }
        }
        EvalInputs in = new EvalInputs(logits, "logits", targets, "targets", weights, "weights");
        FocalEvaluation eval = new FocalEvaluation(in, 2, 0.25, 1, 0, Kernels.choose(true, Long.MAX_VALUE));
        for (int round = 0; round < MAX_ROUNDS && !stopped; round++) {
            eval.run(loss, null, 0, 1);
        }
    }

    private static Tensor direct(Shape shape) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(shape.count() * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(DType.FLOAT32, shape, false, Storage.wrap(b));
    }
}
