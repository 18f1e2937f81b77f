package dev.focal.loss;

import dev.focal.stats.AnchorClass;
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

    /** One thread's working arrays, kept across its ranges. */
    private final class Worker {
        private final TensorSink lossOut;
        private final TensorSink gradOut;
        private final int topK;
        private final int blockAnchors = Math.max(1, BLOCK_ELEMENTS / classes);
        private final double[] x;
        private final double[] t;
        private final double[] w;
        private final double[] loss;
        private final double[] focal;
        private final double[] grad;
        private final float[] scratch;

        Worker(TensorSink lossOut, TensorSink gradOut, int topK) {
            this.lossOut = lossOut;
            this.gradOut = gradOut;
            this.topK = topK;
            int cap = blockAnchors * classes;
            x = new double[cap];
            t = new double[cap];
            w = new double[cap];
            loss = new double[cap];
            focal = new double[cap];
            grad = gradOut != null ? new double[cap] : null;
            scratch = new float[cap];
        }

        LossAccumulator range(long from, long to) {
            LossAccumulator acc = new LossAccumulator(classes, topK, samples);
            long perSample = samples == 0 ? 1 : Math.max(1, anchors() / samples);
            WeightCursor weightsAt = new WeightCursor(from);
            for (long a0 = from; a0 < to; a0 += blockAnchors) {
                int na = (int) Math.min(blockAnchors, to - a0);
                int n = na * classes;
                long first = a0 * classes;
                logits.readDoubles(first, x, n, scratch);
                targets.readDoubles(first, t, n, scratch);
                weightsAt.read(a0, na, w, scratch);
                kernel.evaluate(x, t, w, n, gamma, alpha, loss, focal);
                if (scale != 1) {
                    for (int i = 0; i < n; i++) {
                        loss[i] *= scale;
                    }
                }
                acc.addBlock(a0, na, x, t, w, loss, focal, perSample);
                if (lossOut != null) {
                    lossOut.writeDoubles(first, loss, n);
                }
                if (gradOut != null) {
                    for (int i = 0; i < n; i++) {
                        grad[i] = FocalMath.gradient(x[i], t[i], w[i], gamma, alpha) * scale;
                    }
                    gradOut.writeDoubles(first, grad, n);
                }
            }
            return acc;
        }
    }

    /**
     * Fills the weights of a block of anchors, element by element as the loss sees them. The two
     * layouts that real heads use are read in bulk: one weight per anchor (B, A) and one per
     * element; any other broadcast walks the anchor index like an odometer.
     */
    private final class WeightCursor {
        private final long[] idx;
        private final double[] perAnchor = new double[Math.max(1, BLOCK_ELEMENTS / classes)];
        private long offset;

        WeightCursor(long firstAnchor) {
            idx = Shape.of(anchorDims).unravel(firstAnchor);
            for (int k = 0; k < idx.length; k++) {
                offset += idx[k] * anchorWeightStrides[k];
            }
        }

        void read(long firstAnchor, int count, double[] w, float[] scratch) {
            if (weights == null) {
                java.util.Arrays.fill(w, 0, count * classes, 1.0);
                return;
            }
            if (weightLayout == Layout.PER_ANCHOR) {
                weights.readDoubles(firstAnchor, perAnchor, count, scratch);
                // Flat rather than nested: C2 wraps a loop of tiny, unknown trip count in costly pre- and post-loops.
                for (int i = 0, j = 0, c = 1, n = count * classes; i < n; i++, c++) {
                    w[i] = perAnchor[j];
                    if (c == classes) {
                        c = 0;
                        j++;
                    }
                }
                return;
            }
            if (weightLayout == Layout.PER_ELEMENT) {
                weights.readDoubles(firstAnchor * classes, w, count * classes, scratch);
                return;
            }
            for (int j = 0; j < count; j++) {
                for (int c = 0; c < classes; c++) {
                    w[j * classes + c] = weights.getDouble(offset + c * classWeightStride);
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
