package dev.focal.loss;

import dev.focal.stats.AnchorBlock;
import dev.focal.stats.AnchorSums;
import dev.focal.stats.BlockSums;
import dev.focal.stats.Grid;
import dev.focal.stats.HeatmapSums;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import dev.focal.tensor.Transposer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongToIntFunction;

/**
 * One pass over logits, targets and weights that computes the per-element loss, optionally the
 * gradient, and the summary figures together. The anchors are cut into fixed ranges whatever
 * the thread count; each range is accumulated on its own and the ranges are merged in order,
 * so every figure is bit-identical for any number of threads.
 * <p>
 * A sweep evaluates several (gamma, alpha) pairs in the same pass: each block is read once and
 * the kernel runs on it once per pair, each pair into accumulators of its own, so every pair's
 * figures are those of an evaluation of that pair alone (docs/commands.md#sweeps).
 */
public final class FocalEvaluation {
    /**
     * Elements per range, about (a range is whole blocks): big enough to amortise scheduling,
     * small enough to balance two cores.
     */
    static final int RANGE_ELEMENTS = 1 << 16;
    /** Elements per block, at most (a block is whole anchors): the working arrays stay in the L1/L2 caches. */
    static final int BLOCK_ELEMENTS = 1 << 12;

    private final Tensor logits;
    private final Tensor targets;
    private final Tensor weights;
    private final DerivedTargets derived;
    private final long[] anchorDims;
    private final long[] anchorWeightStrides;
    private final long classWeightStride;
    private final int classes;
    private final List<Pair> pairs;
    private final double scale;
    private final int samples;
    private final Kernels kernels;
    /** The heatmap loss's math, or null for the sigmoid focal loss. */
    private final HeatmapMath heatmap;
    /** Float32Rounding.slackUlps(gamma), for a float32 loss output. */
    private final long roundingSlack;
    private final Layout weightLayout;
    /** What the accumulators count as the elements of an anchor where not all its classes are (null: all). */
    private final LongToIntFunction evaluatedClasses;
    private final AtomicLong done = new AtomicLong();
    private boolean histograms;
    private Grid grid;

    /** One (gamma, alpha) of a sweep. */
    public record Pair(double gamma, double alpha) {
    }

    /** How the weights map onto anchors; the first two allow bulk reads. */
    private enum Layout { PER_ANCHOR, PER_ELEMENT, BROADCAST }

    /**
     * @param scale   multiplies every loss and gradient element (OpenPCDet's cls_weight)
     * @param samples how many equal groups of anchors (the batch) to sum the loss of separately; 0 for none
     * @param kernels compute the per-element loss and the sums, and transpose
     */
    public FocalEvaluation(EvalInputs in, double gamma, double alpha, double scale, int samples, Kernels kernels) {
        this(in, LossFunction.SIGMOID_FOCAL, List.of(new Pair(gamma, alpha)), scale, samples, kernels);
    }

    /**
     * The evaluation of every pair of {@code pairs} (at least one) in one pass; see {@link #sweep}.
     *
     * @param function the loss; a heatmap loss takes no weights, and its kinds are of elements
     *                 (its math is scalar whatever the kernels: its sums and per-element bookkeeping
     *                 are the cost)
     */
    public FocalEvaluation(EvalInputs in, LossFunction function, List<Pair> pairs, double scale, int samples,
                           Kernels kernels) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no (gamma, alpha) pair");
        }
        this.pairs = List.copyOf(pairs);
        this.kernels = kernels;
        this.heatmap = function.heatmapMath(in.logits.dtype() != DType.FLOAT64);
        this.scale = scale;
        this.samples = samples;
        this.logits = in.logits;
        this.targets = in.targets;
        this.weights = in.weights;
        this.derived = in.derived;
        evaluatedClasses = derived == null ? null : derived.evaluatedClasses();
        // Only a single pair writes per-element outputs.
        roundingSlack = Float32Rounding.slackUlps(this.pairs.get(0).gamma());
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

    /**
     * The bulk layouts are told apart by counts alone: weights with as many values as the anchors
     * (or the elements) broadcast along no axis of the loss longer than 1, so their strides over
     * the anchors' axes are the C strides (times the classes), in the order of the anchors;
     * moving the class axis last keeps the other axes' order (docs/semantics.md#class-axis).
     */
    private Layout layout(long weightCount) {
        if (classWeightStride == 0 && weightCount == anchors()) {
            return Layout.PER_ANCHOR;
        }
        if (classWeightStride == 1 && weightCount == anchors() * classes) {
            return Layout.PER_ELEMENT;
        }
        return Layout.BROADCAST;
    }

    /**
     * Anchors per block: a multiple of four where it can be, so that the vector loops have no
     * scalar tails but at the end of the data (ranges are whole blocks).
     */
    static int blockAnchors(int classes) {
        int anchors = BLOCK_ELEMENTS / Math.max(1, classes);
        return anchors >= 4 ? anchors & -4 : Math.max(1, anchors);
    }

    /** Anchors per range: whole blocks. */
    static long rangeAnchors(int classes) {
        return (long) blockAnchors(classes) * (RANGE_ELEMENTS / BLOCK_ELEMENTS);
    }

    public int classes() {
        return classes;
    }

    public long anchors() {
        return classes == 0 ? 0 : logits.count() / classes;
    }

    /**
     * Gathers the report's histograms in the pass too (see {@link dev.focal.stats.Histograms}),
     * and the per-cell figures of {@code grid} unless it is null.
     */
    public void gatherReport(Grid grid) {
        histograms = true;
        this.grid = grid;
    }

    /** Elements evaluated so far by a running {@link #run}, range by range: for a progress line. */
    public long elementsDone() {
        return done.get();
    }

    /**
     * Runs the pass of a single pair. {@code lossOut} and {@code gradOut} (either may be null)
     * receive the per-element loss and gradient in C order, rounded to their dtype.
     */
    public LossAccumulator run(TensorSink lossOut, TensorSink gradOut, int topK, int threads) {
        if (pairs.size() != 1) {
            throw new IllegalStateException("run evaluates one pair; a sweep has " + pairs.size());
        }
        return pass(lossOut, gradOut, topK, threads)[0];
    }

    /** Runs the pass of every pair: the figures of each, in the pairs' order. */
    public LossAccumulator[] sweep(int topK, int threads) {
        return pass(null, null, topK, threads);
    }

    private LossAccumulator[] pass(TensorSink lossOut, TensorSink gradOut, int topK, int threads) {
        long anchors = anchors();
        long perRange = rangeAnchors(classes);
        int ranges = Math.toIntExact(Math.max(1, (anchors + perRange - 1) / perRange));
        InOrder merged = new InOrder(ranges, topK);
        int workers = Math.max(1, Math.min(threads, ranges));
        // Plain threads, the caller one of them: an executor's classes and the lambdas around it
        // would be loaded and spun at first use, in every run.
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            try {
                Worker worker = new Worker(lossOut, gradOut, topK);
                for (int i = next.getAndIncrement(); i < ranges && failure.get() == null; i = next.getAndIncrement()) {
                    long from = i * perRange;
                    long to = Math.min(anchors, (i + 1) * perRange);
                    merged.done(i, worker.range(from, to));
                    done.addAndGet((to - from) * classes);
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
        return merged.total;
    }

    /**
     * The ranges' figures merged in range order as they come in, each pair's on its own: the same
     * merges in the same order whatever the threads, and only the ranges that finished ahead of
     * an earlier one are held (a sweep's pairs multiply what each range holds).
     */
    private final class InOrder {
        private final LossAccumulator[][] pending;
        private final LossAccumulator[] total = new LossAccumulator[pairs.size()];
        private int next;

        InOrder(int ranges, int topK) {
            pending = new LossAccumulator[ranges][];
            for (int p = 0; p < total.length; p++) {
                total[p] = new LossAccumulator(classes, topK, samples, histograms, grid, heatmap != null,
                        evaluatedClasses);
            }
        }

        synchronized void done(int range, LossAccumulator[] figures) {
            pending[range] = figures;
            for (; next < pending.length && pending[next] != null; next++) {
                for (int p = 0; p < total.length; p++) {
                    total[p].merge(pending[next][p]);
                }
                pending[next] = null;
            }
        }
    }

    /** One thread's working arrays, kept across its ranges. */
    private final class Worker {
        private final TensorSink lossOut;
        private final TensorSink gradOut;
        private final int topK;
        private final int blockAnchors = blockAnchors(classes);
        private final AnchorBlock block =
                new AnchorBlock(classes, blockAnchors, weights == null && (derived == null || derived.weightsPerAnchor())
                        || weightLayout == Layout.PER_ANCHOR);
        private final double[] grad;
        private final float[] scratch;
        private final Transposer transposer = kernels.transposer();
        private final LossAccumulator.BlockSummer summer;
        private final long anchorsPerSample = samples == 0 ? 1 : Math.max(1, anchors() / samples);

        Worker(TensorSink lossOut, TensorSink gradOut, int topK) {
            this.lossOut = lossOut;
            this.gradOut = gradOut;
            this.topK = topK;
            grad = gradOut != null ? new double[blockAnchors * classes] : null;
            scratch = new float[blockAnchors * classes];
            summer = summer(heatmap != null ? HeatmapSums.INSTANCE : kernels.sums(), new BlockSums(classes, blockAnchors),
                    block);
            if (weights == null && derived == null) {
                // All ones, wherever a block's runs start: filled once, read by every block.
                java.util.Arrays.fill(block.w, 1.0);
            }
        }

        LossAccumulator[] range(long from, long to) {
            LossAccumulator[] acc = new LossAccumulator[pairs.size()];
            for (int p = 0; p < acc.length; p++) {
                acc[p] = new LossAccumulator(classes, topK, samples, histograms, grid, heatmap != null,
                        evaluatedClasses);
            }
            WeightCursor weightsAt = new WeightCursor(from);
            for (long a0 = from; a0 < to; a0 += blockAnchors) {
                block(a0, (int) Math.min(blockAnchors, to - a0), weightsAt, acc);
            }
            return acc;
        }

        /**
         * One block: a method of its own, called thousands of times, so that the JIT compiles it
         * early, where the loop over a range's few dozen blocks would run interpreted for most of
         * a short evaluation.
         */
        private void block(long a0, int na, WeightCursor weightsAt, LossAccumulator[] acc) {
            long first = a0 * classes;
            int n = na * classes;
            block.hold(na);
            logits.readColumns(first, na, classes, block.x, scratch, transposer);
            if (derived != null) {
                derived.read(a0, na, block.t, block.w);
            } else {
                targets.readColumns(first, na, classes, block.t, scratch, transposer);
                weightsAt.read(a0, na, block.w, scratch, transposer);
            }
            // A sweep's pairs take the block in turn: the kernel leaves x, t and w as they are.
            for (int p = 0; p < acc.length; p++) {
                double gamma = pairs.get(p).gamma();
                double alpha = pairs.get(p).alpha();
                (heatmap != null ? heatmap : kernels.math()).evaluate(block.x, block.t, block.w, n, gamma, alpha,
                        block.loss, block.focal);
                if (scale != 1) {
                    for (int i = 0; i < n; i++) {
                        block.loss[i] *= scale;
                    }
                }
                acc[p].addBlock(a0, block, anchorsPerSample, summer);
                if (lossOut != null && lossOut.dtype() == DType.FLOAT32 && heatmap == null) {
                    // Correctly rounded (docs/accuracy.md), where the gradient below is within an ulp.
                    // The rounding's exact re-evaluation is the sigmoid focal loss's: a heatmap loss is
                    // within 1 ulp by its own double evaluation.
                    Float32Rounding.toRows(block.loss, block.x, block.t, block.w, na, classes, gamma, alpha, scale,
                            roundingSlack, scratch);
                    lossOut.writeFloats(first, scratch, n);
                } else if (lossOut != null) {
                    write(lossOut, first, block.loss, na);
                }
                if (gradOut != null) {
                    for (int i = 0; i < n; i++) {
                        grad[i] = (heatmap != null ? heatmap.gradient(block.x[i], block.t[i], gamma, alpha)
                                : FocalMath.gradient(block.x[i], block.t[i], block.w[i], gamma, alpha)) * scale;
                    }
                    write(gradOut, first, grad, na);
                }
            }
        }

        /** A float32 sink gets rows the transposer rounded (in scratch, whose reads are done). */
        private void write(TensorSink sink, long first, double[] columns, int na) {
            if (sink.dtype() == DType.FLOAT32) {
                transposer.toRows(columns, na, classes, scratch);
                sink.writeFloats(first, scratch, na * classes);
            } else {
                sink.writeColumns(first, columns, na, classes);
            }
        }
    }

    /** Sums runs of the block with {@code anchorSums}, into {@code sums}. */
    static LossAccumulator.BlockSummer summer(AnchorSums anchorSums, BlockSums sums, AnchorBlock block) {
        return (from, to) -> {
            sums.clear();
            anchorSums.sum(sums, block, from, to);
            return sums;
        };
    }

    /**
     * Fills the weights of a block of anchors class by class, as the loss sees them. The two
     * layouts that real heads use are read in bulk: one weight per anchor (B, A), copied to every
     * class's run, and one per element; any other broadcast walks the anchor index like an
     * odometer.
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

        void read(long firstAnchor, int count, double[] w, float[] scratch, Transposer transposer) {
            if (weights == null) {
                return;
            }
            if (weightLayout == Layout.PER_ANCHOR) {
                weights.readDoubles(firstAnchor, w, count, scratch);
                for (int c = 1; c < classes; c++) {
                    System.arraycopy(w, 0, w, c * count, count);
                }
                return;
            }
            if (weightLayout == Layout.PER_ELEMENT) {
                weights.readColumns(firstAnchor * classes, count, classes, w, scratch, transposer);
                return;
            }
            for (int j = 0; j < count; j++) {
                for (int c = 0; c < classes; c++) {
                    w[c * count + j] = weights.getDouble(offset + c * classWeightStride);
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
