package dev.focal.loss;

import dev.focal.stats.AnchorBlock;
import dev.focal.stats.BlockSums;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.Transposer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Gets the pass's hot code compiled on a side thread while the command line is parsed and the
 * files opened, so that the compiling overlaps the single-threaded start-up.
 * <p>
 * The vector kernel, when its module is present: Vector API code runs hundreds of times slower
 * than scalar code until the JIT's optimising compiler has compiled it, which on two cores takes
 * a good part of a second; handing it the data before then would stall the whole evaluation. So
 * the evaluation computes with the vector kernel's scalar twin ({@link PolynomialMath},
 * bit-identical) until this thread has seen the vector kernel run at compiled speed, and with the
 * vector kernel from then on. Which kernel took which block never shows in the results.
 * <p>
 * Otherwise the scalar twin, the accumulators and the reads, when the launcher asks for it
 * (system property {@value #WARM_SCALAR}, set where the optimising compiler runs and compiles
 * those methods early): their compilations are then done before the first block instead of
 * during the first part of the pass. The synthetic block has positive, negative and ignored
 * anchors and a sample boundary, so that the compiled code has seen every branch that real data
 * takes.
 */
public final class WarmUp {
    /** The system property, true or false, that asks for the scalar warm-up. */
    public static final String WARM_SCALAR = "focal.warmScalar";
    /** Whole anchors of {@link #CLASSES} classes. */
    private static final int ELEMENTS = 510;
    private static final int CLASSES = 3;
    /** Enough for the launcher's thresholds (a thirtieth of the usual), not for the default ones. */
    private static final int SCALAR_CALLS = 40;
    /**
     * Compiled code stays well under this (the kernel, the sums, a fresh accumulator for each
     * call), vector code under the interpreter or C1 takes hundreds of ns an element.
     */
    private static final long FAST_NANOS = 25L * ELEMENTS;
    /** Consecutive fast calls needed: one can be fast by luck, three cannot. */
    private static final int FAST_CALLS = 3;
    /** After this many calls the compilations are queued: slow calls then only steal a core. */
    private static final int EAGER_CALLS = 400;
    private static final long GIVE_UP_NANOS = 20_000_000_000L;
    private static volatile boolean ready;
    private static boolean started;

    private WarmUp() {
    }

    /**
     * Starts compiling, once per JVM, the vector kernel when its module is present, else the
     * scalar kernel and the accumulators when {@value #WARM_SCALAR} is true, else nothing.
     */
    public static synchronized void start() {
        Runnable heat = task(Kernels.vector(), Boolean.getBoolean(WARM_SCALAR));
        if (started || heat == null) {
            return;
        }
        started = true;
        Thread thread = new Thread(heat, "focal-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * What the warm-up thread runs, or null for nothing: the vector kernel when {@code vector} is
     * not null, else the scalar kernel and the accumulators when {@code warmScalar}.
     */
    static Runnable task(Kernels vector, boolean warmScalar) {
        return vector != null ? () -> ready = heat(vector) : warmScalar ? WarmUp::heatScalar : null;
    }

    /** Whether the vector kernel has been seen running at compiled speed. */
    static boolean vectorReady() {
        return ready;
    }

    /**
     * A synthetic block of anchors held class by class, as a pass holds them, and shaped like a
     * detection head's (the compiled code is laid out for the branch frequencies it saw): logits
     * spread around the prior -4.6, one positive anchor in 43 (target 1 on one class, whose logit
     * is raised by 5, to either side of 0), one ignored anchor in 29 (weight 0), the rest negative.
     * Its logits are float32 rows, which each evaluation turns into the block's columns, and its
     * loss goes back into rows.
     */
    private static final class Block {
        static final int ANCHORS = ELEMENTS / CLASSES;
        final AnchorBlock block = new AnchorBlock(CLASSES, ANCHORS, true);
        final BlockSums sums = new BlockSums(CLASSES, ANCHORS);
        final float[] logitRows = new float[ELEMENTS];
        final float[] lossRows = new float[ELEMENTS];

        Block() {
            block.hold(ANCHORS);
            for (int i = 0; i < ELEMENTS; i++) {
                int anchor = i / CLASSES;
                int c = i % CLASSES;
                boolean target = anchor % 43 == 0 && c == anchor % CLASSES;
                int at = block.offset(c) + anchor;
                logitRows[i] = (float) (-4.6 + ((i * 37) % 97 - 48) * 0.04 + (target ? 5 : 0));
                block.t[at] = target ? 1 : 0;
                block.w[at] = anchor % 29 == 5 ? 0 : 0.01;
            }
        }

        /**
         * The pass's work on this block: its logits into columns, the loss, the summary in two
         * samples, and the loss back into float32 rows.
         */
        LossAccumulator evaluate(Kernels kernels) {
            kernels.transposer().toColumns(logitRows, ANCHORS, CLASSES, block.x);
            kernels.math().evaluate(block.x, block.t, block.w, ELEMENTS, 2, 0.25, block.loss, block.focal);
            LossAccumulator acc = new LossAccumulator(CLASSES, 0, 2);
            acc.addBlock(0, block, ANCHORS / 2, FocalEvaluation.summer(kernels.sums(), sums, block));
            Float32Rounding.toRows(block.loss, block.x, block.t, block.w, ANCHORS, CLASSES, 2, 0.25, 1,
                    Float32Rounding.slackUlps(2), lossRows);
            return acc;
        }
    }

    /** Runs the scalar kernel and the accumulators until compiled; returns the last block's figures. */
    static LossAccumulator heatScalar() {
        Block b = new Block();
        LossAccumulator acc = null;
        for (int calls = 0; calls < SCALAR_CALLS; calls++) {
            acc = b.evaluate(Kernels.polynomial());
        }
        heatReads(b.block);
        return acc;
    }

    /**
     * Then the reads of a block's logits, targets and weights, from float32 in a read-only direct
     * buffer, which is what a mapped file is: compiled before the pass's first block asks for them
     * (the pass's workers wait for these compilations).
     */
    private static void heatReads(AnchorBlock block) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(ELEMENTS * Float.BYTES);
        Tensor head = new Tensor(DType.FLOAT32, Shape.of(ELEMENTS), false,
                Storage.wrap(bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN)));
        float[] scratch = new float[ELEMENTS];
        for (int calls = 0; calls < SCALAR_CALLS; calls++) {
            head.readColumns(0, Block.ANCHORS, CLASSES, block.x, scratch, Transposer.SCALAR);
            head.readDoubles(0, block.w, Block.ANCHORS, scratch);
        }
    }

    /** Runs the vector kernel until it runs at compiled speed; whether it did before giving up. */
    static boolean heat(Kernels vector) {
        Block b = new Block();
        long start = System.nanoTime();
        int fast = 0;
        for (int calls = 1; fast < FAST_CALLS && System.nanoTime() - start < GIVE_UP_NANOS; calls++) {
            long t0 = System.nanoTime();
            b.evaluate(vector);
            fast = System.nanoTime() - t0 < FAST_NANOS ? fast + 1 : 0;
            if (calls > EAGER_CALLS && fast == 0) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return fast >= FAST_CALLS;
    }
}
