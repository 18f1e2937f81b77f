package dev.focal.stats;

import java.util.function.LongToIntFunction;

/**
 * Everything the summary reports, accumulated anchor by anchor over one contiguous range of
 * anchors. Ranges are merged in index order, so every figure is the same whatever the number
 * of threads that produced the ranges.
 */
public final class LossAccumulator {
    private final int classes;
    /** Whether the kinds are HeatmapSums's, of elements, rather than of anchors. */
    private final boolean elementKinds;
    final CompensatedSum total = new CompensatedSum();
    final long[] anchors = new long[3];
    /**
     * The classes evaluated of each anchor, by its index, when not all are (a separate
     * multi-head); else null. Its elements of each kind are then counted in {@link #elements}.
     */
    private final LongToIntFunction evaluatedClasses;
    final long[] elements = new long[3];
    final CompensatedSum[] lossSum = sums(3);
    final CompensatedSum[] focalSum = sums(3);
    final long[] nonFiniteLoss = new long[3];
    final long[] firstNonFiniteLoss = {-1, -1, -1};
    /** NaN and infinite losses over all kinds, and the flat index of the first of each. */
    long nanLoss;
    long firstNanLoss = -1;
    long infiniteLoss;
    long firstInfiniteLoss = -1;
    final long[] classPositives;
    final CompensatedSum[] classLoss;
    long nonFiniteLogits;
    final TopK top;
    final CompensatedSum[] sampleLoss;
    /** Per sample, its anchors (or elements) of each kind. */
    final long[][] sampleCounts;
    final ValueRange logits = new ValueRange();
    final ValueRange targets = new ValueRange();
    /** The report's distributions, when asked for; else null. */
    final Histograms histograms;
    /** The report's per-cell figures, when asked for and there is a grid; else null. */
    final CellSums cells;

    /**
     * @param samples how many samples (groups of anchors along the first axis) to sum the loss
     *                of separately; 0 for none
     */
    public LossAccumulator(int classes, int topK, int samples) {
        this(classes, topK, samples, false, null, false);
    }

    /**
     * @param histograms   whether to gather the report's {@link Histograms} too
     * @param grid         the grid whose per-cell figures the report draws, or null; needs histograms
     * @param elementKinds the kinds are {@link HeatmapSums}'s, of elements (a heatmap loss)
     */
    public LossAccumulator(int classes, int topK, int samples, boolean histograms, Grid grid, boolean elementKinds) {
        this(classes, topK, samples, histograms, grid, elementKinds, null);
    }

    /**
     * @param evaluatedClasses the classes a head evaluates of each anchor, by its index, where
     *                         not all are (a separate multi-head's absent columns are no elements
     *                         of the means); null when all are
     */
    public LossAccumulator(int classes, int topK, int samples, boolean histograms, Grid grid, boolean elementKinds,
                           LongToIntFunction evaluatedClasses) {
        this.evaluatedClasses = evaluatedClasses;
        this.histograms = histograms || grid != null ? new Histograms() : null;
        this.cells = grid == null ? null : new CellSums(grid);
        this.classes = classes;
        this.elementKinds = elementKinds;
        this.classPositives = new long[classes];
        this.classLoss = sums(classes);
        this.top = new TopK(topK);
        this.sampleLoss = sums(samples);
        this.sampleCounts = new long[samples][3];
    }

    private static CompensatedSum[] sums(int n) {
        CompensatedSum[] s = new CompensatedSum[n];
        for (int i = 0; i < n; i++) {
            s[i] = new CompensatedSum();
        }
        return s;
    }

    /**
     * Adds a block; {@code firstAnchor} is its first anchor's index. {@code sums} adds up the
     * block's anchors by kind (in the fixed lane order of {@link BlockSums}, whichever
     * implementation does it), one part per sample the block touches; the parts are folded into
     * the compensated totals, which keeps the per-element cost low and the result independent of
     * how blocks are spread over threads.
     */
    public void addBlock(long firstAnchor, AnchorBlock block, long anchorsPerSample, BlockSummer sums) {
        int count = block.anchors();
        boolean perSample = sampleLoss.length > 0;
        // A lane that adds a NaN or infinite loss or focal factor stays so, and so does its kind's sum.
        boolean nonFinite = false;
        for (int from = 0; from < count; ) {
            long anchor = firstAnchor + from;
            int sample = perSample ? (int) (anchor / anchorsPerSample) : 0;
            int to = perSample ? (int) Math.min(count, (sample + 1) * anchorsPerSample - firstAnchor) : count;
            BlockSums part = sums.sum(from, to);
            for (int k = 0; k < 3; k++) {
                anchors[k] += part.anchors[k];
                if (perSample) {
                    sampleCounts[sample][k] += part.anchors[k];
                }
                double partLoss = part.loss(k);
                double partFocal = part.focal(k);
                lossSum[k].add(partLoss);
                focalSum[k].add(partFocal);
                nonFinite |= !Double.isFinite(partLoss + partFocal);
            }
            for (int c = 0; c < classes; c++) {
                classPositives[c] += part.classPositives[c];
            }
            double partTotal = part.total();
            total.add(partTotal);
            if (perSample) {
                sampleLoss[sample].add(partTotal);
            }
            from = to;
        }
        for (int c = 0; c < classes; c++) {
            classLoss[c].add(classSum(block.loss, block.offset(c), count));
        }
        if (evaluatedClasses != null) {
            for (int j = 0; j < count; j++) {
                elements[BlockSums.kindOf(block, j)] += evaluatedClasses.applyAsInt(firstAnchor + j);
            }
        }
        logits.addZeroOrOne(block.x, count * classes);
        targets.addBounds(block.t, count * classes);
        if (nonFinite || top.capacity() > 0) {
            rareCases(firstAnchor, block);
        }
        if (histograms != null) {
            histograms.add(block);
            if (cells != null) {
                cells.add(firstAnchor, count, block.anchorLoss, block.anchorKind);
            }
        }
    }

    /** Sums anchors {@code from..to-1} of the block by kind, into a cleared {@link BlockSums} it returns. */
    public interface BlockSummer {
        BlockSums sum(int from, int to);
    }

    /**
     * The loss of one class over a block's anchors (its run from {@code offset}), as four
     * interleaved partial sums (anchors j mod 4) added in a fixed order: four independent chains of
     * additions instead of one, each waiting on the adder's latency.
     */
    private static double classSum(double[] loss, int offset, int count) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = offset;
        for (int end = offset + (count & ~3); i < end; i += 4) {
            s0 += loss[i];
            s1 += loss[i + 1];
            s2 += loss[i + 2];
            s3 += loss[i + 3];
        }
        for (int end = offset + count; i < end; i++) {
            s0 += loss[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Non-finite values and --top: per-element bookkeeping that almost no block needs, in flat
     * index order (anchor by anchor, class by class).
     */
    private void rareCases(long firstAnchor, AnchorBlock block) {
        for (int j = 0; j < block.anchors(); j++) {
            int anchorKind = elementKinds ? 0 : BlockSums.kindOf(block, j);
            long firstIndex = (firstAnchor + j) * classes;
            for (int c = 0; c < classes; c++) {
                int i = block.offset(c) + j;
                int k = elementKinds ? HeatmapSums.kindOf(block.t[i]) : anchorKind;
                if (!Double.isFinite(block.x[i])) {
                    nonFiniteLogits++;
                }
                double loss = block.loss[i];
                if (!Double.isFinite(loss)) {
                    if (nonFiniteLoss[k]++ == 0) {
                        firstNonFiniteLoss[k] = firstIndex + c;
                    }
                    if (Double.isNaN(loss)) {
                        if (nanLoss++ == 0) {
                            firstNanLoss = firstIndex + c;
                        }
                    } else if (infiniteLoss++ == 0) {
                        firstInfiniteLoss = firstIndex + c;
                    }
                }
                top.offer(firstIndex + c, block.loss[i]);
            }
        }
    }

    /** Appends a later range's figures to this one's. */
    public void merge(LossAccumulator o) {
        total.add(o.total);
        for (int k = 0; k < 3; k++) {
            anchors[k] += o.anchors[k];
            elements[k] += o.elements[k];
            lossSum[k].add(o.lossSum[k]);
            focalSum[k].add(o.focalSum[k]);
            if (nonFiniteLoss[k] == 0) {
                firstNonFiniteLoss[k] = o.firstNonFiniteLoss[k];
            }
            nonFiniteLoss[k] += o.nonFiniteLoss[k];
        }
        for (int c = 0; c < classes; c++) {
            classPositives[c] += o.classPositives[c];
            classLoss[c].add(o.classLoss[c]);
        }
        for (int i = 0; i < sampleLoss.length; i++) {
            sampleLoss[i].add(o.sampleLoss[i]);
            for (int k = 0; k < 3; k++) {
                sampleCounts[i][k] += o.sampleCounts[i][k];
            }
        }
        nonFiniteLogits += o.nonFiniteLogits;
        if (nanLoss == 0) {
            firstNanLoss = o.firstNanLoss;
        }
        nanLoss += o.nanLoss;
        if (infiniteLoss == 0) {
            firstInfiniteLoss = o.firstInfiniteLoss;
        }
        infiniteLoss += o.infiniteLoss;
        top.merge(o.top);
        logits.merge(o.logits);
        targets.merge(o.targets);
        if (histograms != null) {
            histograms.merge(o.histograms);
        }
        if (cells != null) {
            cells.merge(o.cells);
        }
    }

    public int classes() {
        return classes;
    }

    public double totalLoss() {
        return total.value();
    }

    /** Anchors of every kind. */
    public long anchors() {
        return anchors[0] + anchors[1] + anchors[2];
    }

    public long anchors(AnchorKind k) {
        return anchors[k.ordinal()];
    }

    public double lossSum(AnchorKind k) {
        return lossSum[k.ordinal()].value();
    }

    /**
     * Mean of q^gamma (a heatmap loss's modulating factor) over the elements of this kind; NaN
     * when there are none.
     */
    public double focalMean(AnchorKind k) {
        long n = elements(k);
        return n == 0 ? Double.NaN : focalSum[k.ordinal()].value() / n;
    }

    /**
     * The loss elements of this kind: its anchors' classes, those a head evaluates where it
     * evaluates some only; a heatmap loss's kinds are of elements.
     */
    public long elements(AnchorKind k) {
        int i = k.ordinal();
        return elementKinds ? anchors[i] : evaluatedClasses != null ? elements[i] : anchors[i] * classes;
    }

    /** The loss elements of every kind: what loss.mean divides by. */
    public long elements() {
        return elements(AnchorKind.POSITIVE) + elements(AnchorKind.NEGATIVE) + elements(AnchorKind.IGNORED);
    }

    public long nonFiniteLoss(AnchorKind k) {
        return nonFiniteLoss[k.ordinal()];
    }

    /** Flat index of the first non-finite loss in this kind of anchor, or -1. */
    public long firstNonFiniteLoss(AnchorKind k) {
        return firstNonFiniteLoss[k.ordinal()];
    }

    /** NaN losses over all kinds of anchor. */
    public long nanLoss() {
        return nanLoss;
    }

    /** Flat index of the first NaN loss, or -1. */
    public long firstNanLoss() {
        return firstNanLoss;
    }

    /** Infinite losses (either sign) over all kinds of anchor. */
    public long infiniteLoss() {
        return infiniteLoss;
    }

    /** Flat index of the first infinite loss, or -1. */
    public long firstInfiniteLoss() {
        return firstInfiniteLoss;
    }

    public long nonFiniteLogits() {
        return nonFiniteLogits;
    }

    public long classPositives(int c) {
        return classPositives[c];
    }

    public double classLoss(int c) {
        return classLoss[c].value();
    }

    /** The loss summed over one sample's anchors (only when samples were asked for). */
    public double sampleLoss(int sample) {
        return sampleLoss[sample].value();
    }

    /** How many samples the loss is summed over separately. */
    public int samples() {
        return sampleLoss.length;
    }

    /** A sample's anchors (elements, for a heatmap loss) of one kind (only when samples were asked for). */
    public long sampleCount(int sample, AnchorKind k) {
        return sampleCounts[sample][k.ordinal()];
    }

    /** The range of the logits evaluated. */
    public ValueRange logitRange() {
        return logits;
    }

    /** The range of the targets evaluated. */
    public ValueRange targetRange() {
        return targets;
    }

    /** The report's distributions, when they were gathered. */
    public java.util.Optional<Histograms> histograms() {
        return java.util.Optional.ofNullable(histograms);
    }

    /** The report's per-cell figures, when a grid was given. */
    public java.util.Optional<EvalSummary.Bev> bev() {
        return java.util.Optional.ofNullable(cells).map(c -> new EvalSummary.Bev(c.grid(), c.loss(), c.positives()));
    }

    public TopK top() {
        return top;
    }
}
