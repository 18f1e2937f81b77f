package dev.focal.loss;

import dev.focal.stats.BlockSums;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass over logits, targets and weights that computes the per-element loss, optionally the
 * gradient, and the summary figures together. The anchors are cut into fixed ranges whatever
 * the thread count; each range is accumulated on its own and the ranges are merged in order,
 * so every figure is bit-identical for any number of threads.
 */
public final class FocalEvaluation {
    /** Elements per range: big enough to amortise scheduling, small enough to balance two cores. */
    static final int RANGE_ELEMENTS = 1 << 16;
    /** Elements per block inside a range: the working arrays stay in the L1/L2 caches. */
    static final int BLOCK_ELEMENTS = 1 << 11;

    private final Tensor logits;
    private final Tensor targets;
    private final Tensor weights;
    private final long[] anchorDims;
    private final long[] anchorWeightStrides;
    private final long classWeightStride;
    private final int classes;
    private final double gamma;
    private final double alpha;
    private final double scale;
    private final int samples;
    private final LossKernel kernel;
    private final Layout weightLayout;

    /** How the weights map onto anchors; the first two allow bulk reads. */
    private enum Layout { PER_ANCHOR, PER_ELEMENT, BROADCAST }

    /**
     * @param scale   multiplies every loss and gradient element (OpenPCDet's cls_weight)
     * @param samples how many equal groups of anchors (the batch) to sum the loss of separately; 0 for none
     * @param kernel  computes the per-element loss
     */
    public FocalEvaluation(EvalInputs in, double gamma, double alpha, double scale, int samples, LossKernel kernel) {
        this.kernel = kernel;
        this.scale = scale;
        this.samples = samples;
        this.logits = in.logits;
        this.targets = in.targets;
        this.weights = in.weights;
        this.gamma = gamma;
        this.alpha = alpha;
        Shape s = logits.shape();
        long[] strides = in.broadcast.strides();
        int r = s.rank();
        if (r <= 1) {
            // A vector is one class per element; a 0-d loss is one anchor of one class.
            anchorDims = r == 0 ? new long[0] : new long[] {s.dim(0)};
            anchorWeightStrides = r == 0 ? new long[0] : new long[] {strides[0]};
            classWeightStride = 0;
            classes = 1;
        } else {
            anchorDims = java.util.Arrays.copyOf(s.dims(), r - 1);
            anchorWeightStrides = java.util.Arrays.copyOf(strides, r - 1);
            classWeightStride = strides[r - 1];
            classes = Math.toIntExact(s.dim(r - 1));
        }
        weightLayout = layout(in.weights == null ? 0 : in.weights.count());
    }

    private Layout layout(long weightCount) {
        long[] cStrides = Shape.of(anchorDims).cStrides();
        boolean anchorsInOrder = true;
        for (int k = 0; k < anchorDims.length; k++) {
            long expected = cStrides[k] * (classWeightStride == 0 ? 1 : classes);
            anchorsInOrder &= anchorDims[k] == 1 || anchorWeightStrides[k] == expected;
        }
        if (anchorsInOrder && classWeightStride == 0 && weightCount == anchors()) {
            return Layout.PER_ANCHOR;
        }
        if (anchorsInOrder && classWeightStride == 1 && weightCount == anchors() * classes) {
            return Layout.PER_ELEMENT;
        }
        return Layout.BROADCAST;
    }

    public int classes() {
        return classes;
    }

    public long anchors() {
        return classes == 0 ? 0 : logits.count() / classes;
    }

    /**
     * Runs the pass. {@code lossOut} and {@code gradOut} (either may be null) receive the
     * per-element loss and gradient in C order, rounded to their dtype.
     */
    public LossAccumulator run(TensorSink lossOut, TensorSink gradOut, int topK, int threads) {
        long anchors = anchors();
        long perRange = Math.max(1, RANGE_ELEMENTS / Math.max(1, classes));
        int ranges = Math.toIntExact(Math.max(1, (anchors + perRange - 1) / perRange));
        LossAccumulator[] partial = new LossAccumulator[ranges];
        int workers = Math.max(1, Math.min(threads, ranges));
        // Plain threads, the caller one of them: an executor's classes and the lambdas around it
        // cost ~10 ms of a 0.5 s run, loaded and spun at first use.
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            try {
                Worker worker = new Worker(lossOut, gradOut, topK);
                for (int i = next.getAndIncrement(); i < ranges && failure.get() == null; i = next.getAndIncrement()) {
                    partial[i] = worker.range(i * perRange, Math.min(anchors, (i + 1) * perRange));
                }
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            }
        };
        Thread[] helpers = new Thread[workers - 1];
        for (int h = 0; h < helpers.length; h++) {
            helpers[h] = new Thread(work, "focal-eval");
            helpers[h].setDaemon(true);
            helpers[h].start();
        }
        work.run();
        try {
            for (Thread h : helpers) {
                h.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f != null) {
            throw (Error) f;
        }
        LossAccumulator total = new LossAccumulator(classes, topK, samples);
        for (LossAccumulator p : partial) {
            total.merge(p);
        }
        return total;
    }

    /**
     * One thread's working arrays, kept across its ranges. A block holds its anchors class by
     * class ({@code x[c][j]} is class c of anchor j), so that everything an anchor needs is at one
     * index of a few arrays: the summary's per-anchor work then runs in vector lanes, and one
     * weight per anchor serves every class without being copied.
     */
    private final class Worker {
        private final TensorSink lossOut;
        private final TensorSink gradOut;
        private final int topK;
        private final int blockAnchors = Math.max(1, BLOCK_ELEMENTS / classes);
        private final double[][] x;
        private final double[][] t;
        private final double[][] w;
        private final double[][] loss;
        private final double[][] focal;
        private final double[][] grad;
        private final LossAccumulator.BlockSummer summer;
        /** A block in C order, for the outputs. */
        private final double[] interleaved;
        private final float[] scratch;

        Worker(TensorSink lossOut, TensorSink gradOut, int topK) {
            this.lossOut = lossOut;
            this.gradOut = gradOut;
            this.topK = topK;
            x = new double[classes][blockAnchors];
            t = new double[classes][blockAnchors];
            loss = new double[classes][blockAnchors];
            focal = new double[classes][blockAnchors];
            grad = gradOut != null ? new double[classes][blockAnchors] : null;
            if (weightLayout == Layout.PER_ANCHOR || weights == null) {
                w = new double[classes][];
                java.util.Arrays.fill(w, new double[blockAnchors]);
                if (weights == null) {
                    java.util.Arrays.fill(w[0], 1.0);
                }
            } else {
                w = new double[classes][blockAnchors];
            }
            summer = summer(kernel, new BlockSums(classes, blockAnchors), t, w, loss, focal);
            interleaved = new double[blockAnchors * classes];
            scratch = new float[blockAnchors * classes];
        }

        LossAccumulator range(long from, long to) {
            LossAccumulator acc = new LossAccumulator(classes, topK, samples);
            long perSample = samples == 0 ? 1 : Math.max(1, anchors() / samples);
            WeightCursor weightsAt = new WeightCursor(from);
            for (long a0 = from; a0 < to; a0 += blockAnchors) {
                int na = (int) Math.min(blockAnchors, to - a0);
                long first = a0 * classes;
                logits.readColumns(first, na, x, scratch);
                targets.readColumns(first, na, t, scratch);
                weightsAt.read(a0, na, w, scratch);
                for (int c = 0; c < classes; c++) {
                    kernel.evaluate(x[c], t[c], w[c], na, gamma, alpha, loss[c], focal[c]);
                    if (scale != 1) {
                        for (int j = 0; j < na; j++) {
                            loss[c][j] *= scale;
                        }
                    }
                }
                acc.addBlock(a0, na, x, t, w, loss, perSample, summer);
                if (lossOut != null) {
                    write(lossOut, first, loss, na);
                }
                if (gradOut != null) {
                    for (int c = 0; c < classes; c++) {
                        for (int j = 0; j < na; j++) {
                            grad[c][j] = FocalMath.gradient(x[c][j], t[c][j], w[c][j], gamma, alpha) * scale;
                        }
                    }
                    write(gradOut, first, grad, na);
                }
            }
            return acc;
        }

        private void write(TensorSink sink, long first, double[][] columns, int na) {
            if (classes == 1) {
                sink.writeDoubles(first, columns[0], na);
                return;
            }
            for (int c = 0; c < classes; c++) {
                double[] column = columns[c];
                for (int j = 0, i = c; j < na; j++, i += classes) {
                    interleaved[i] = column[j];
                }
            }
            sink.writeDoubles(first, interleaved, na * classes);
        }
    }

    /** Sums runs of the block held in these arrays with the kernel, into {@code sums}. */
    static LossAccumulator.BlockSummer summer(LossKernel kernel, BlockSums sums, double[][] t, double[][] w,
                                              double[][] loss, double[][] focal) {
        return (from, to) -> {
            sums.clear();
            kernel.sumAnchors(sums, t, w, loss, focal, from, to);
            return sums;
        };
    }

    /**
     * Fills the weights of a block of anchors class by class, as the loss sees them. The two
     * layouts that real heads use are read in bulk: one weight per anchor (B, A), which every
     * class's array shares, and one per element; any other broadcast walks the anchor index like
     * an odometer.
     */
    private final class WeightCursor {
        private final long[] idx;
        private long offset;

        WeightCursor(long firstAnchor) {
            idx = Shape.of(anchorDims).unravel(firstAnchor);
            for (int k = 0; k < idx.length; k++) {
                offset += idx[k] * anchorWeightStrides[k];
            }
        }

        void read(long firstAnchor, int count, double[][] w, float[] scratch) {
            if (weights == null) {
                return;
            }
            if (weightLayout == Layout.PER_ANCHOR) {
                weights.readDoubles(firstAnchor, w[0], count, scratch);
                return;
            }
            if (weightLayout == Layout.PER_ELEMENT) {
                weights.readColumns(firstAnchor * classes, count, w, scratch);
                return;
            }
            for (int j = 0; j < count; j++) {
                for (int c = 0; c < classes; c++) {
                    w[c][j] = weights.getDouble(offset + c * classWeightStride);
                }
                offset = advance(idx, offset);
            }
        }
    }

    /** Steps the anchor index like an odometer and returns the weight offset of the next anchor. */
    private long advance(long[] idx, long wBase) {
        for (int k = idx.length - 1; k >= 0; k--) {
            idx[k]++;
            wBase += anchorWeightStrides[k];
            if (idx[k] < anchorDims[k]) {
                return wBase;
            }
            wBase -= idx[k] * anchorWeightStrides[k];
            idx[k] = 0;
        }
        return wBase;
    }
}
