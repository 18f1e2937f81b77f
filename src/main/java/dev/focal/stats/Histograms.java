package dev.focal.stats;

/**
 * The distributions the report draws, gathered in the pass when a report is asked for. Of the
 * sigmoid focal loss: the loss of each anchor (summed over its classes) by kind of anchor, in
 * half-octave bins, and the logit toward the right answer, x_t = x for a positive element
 * (target above 0.5) and -x for a negative one, in bins of a quarter; p_t = sigmoid(x_t), so
 * these are p_t's bins too, with no exp per element. Of a heatmap loss, whose kinds are of
 * elements ({@link HeatmapSums}): the loss of each element by its kind, and its logit x itself
 * (p = sigmoid(x), the prediction the loss's curves take) by its kind. Counts only: merged in
 * any order they give the same figures.
 */
public final class Histograms {
    /** The smallest and largest binary exponent of a loss bin; smaller and larger losses go to the end bins. */
    public static final int MIN_EXPONENT = -60;
    public static final int MAX_EXPONENT = 9;
    /** Two bins per octave. */
    public static final int LOSS_BINS = 2 * (MAX_EXPONENT - MIN_EXPONENT + 1);
    /** x_t from -LOGIT_LIMIT to LOGIT_LIMIT in steps of 1 / LOGIT_STEPS; beyond goes to the end bins. */
    public static final int LOGIT_LIMIT = 16;
    public static final int LOGIT_STEPS = 4;
    public static final int LOGIT_BINS = 2 * LOGIT_LIMIT * LOGIT_STEPS;

    /** Whether the kinds are a heatmap loss's, of elements, rather than of anchors. */
    private final boolean elementKinds;
    /** [kind][bin]: anchors (elements) whose loss is in [2^(MIN_EXPONENT + bin/2), ...), positive and finite. */
    final long[][] loss = new long[3][LOSS_BINS];
    /** [kind]: anchors (elements) whose loss is 0 (no bin on a log axis). */
    final long[] zeroLoss = new long[3];
    /**
     * [slot][bin], NaN logits left out. The sigmoid focal loss: x_t of the elements of non-ignored
     * anchors, [0] positive and [1] negative ones. A heatmap loss: x of the elements of each kind.
     */
    final long[][] logit = new long[3][LOGIT_BINS];

    Histograms(boolean elementKinds) {
        this.elementKinds = elementKinds;
    }

    /**
     * Adds a block's anchors, and leaves in it what {@link CellSums} reads of each: its loss
     * summed over its classes in class order, its positive anchors (1 or 0) or peaks, and its
     * non-finite losses. Class by class, as the block holds them, so that each loop reads one run
     * of memory.
     */
    void add(AnchorBlock block) {
        int n = block.anchors();
        double[] sums = block.anchorLoss;
        if (elementKinds) {
            addElements(block);
        } else {
            addAnchors(block);
        }
        int[] nonFinite = block.anchorNonFinite;
        for (int j = 0; j < n; j++) {
            double sum = sums[j];
            nonFinite[j] = 0;
            // A non-finite element makes the sum so; it is rare, and counted only then.
            if (!(Math.abs(sum) <= Double.MAX_VALUE)) {
                for (int c = 0; c < block.classes(); c++) {
                    nonFinite[j] += Double.isFinite(block.loss[block.offset(c) + j]) ? 0 : 1;
                }
            }
        }
    }

    /** The sigmoid focal loss: anchors by kind ({@link BlockSums#kindOf}), elements by x_t. */
    private void addAnchors(AnchorBlock block) {
        int n = block.anchors();
        byte[] kinds = block.anchorKind;
        double[] sums = block.anchorLoss;
        int[] positives = block.anchorPositives;
        for (int j = 0; j < n; j++) {
            kinds[j] = (byte) BlockSums.kindOf(block, j);
            positives[j] = kinds[j] == BlockSums.POSITIVE ? 1 : 0;
            sums[j] = 0;
        }
        long[] pos = logit[0];
        long[] neg = logit[1];
        double[] x = block.x;
        double[] t = block.t;
        double[] l = block.loss;
        for (int c = 0; c < block.classes(); c++) {
            int o = block.offset(c);
            for (int j = 0; j < n; j++) {
                int i = o + j;
                sums[j] += l[i];
                if (kinds[j] != BlockSums.IGNORED && x[i] == x[i]) {
                    if (t[i] > 0.5) {
                        pos[logitBin(x[i])]++;
                    } else {
                        neg[logitBin(-x[i])]++;
                    }
                }
            }
        }
        for (int j = 0; j < n; j++) {
            addLoss(kinds[j], sums[j]);
        }
    }

    /** A heatmap loss: elements by their kind ({@link HeatmapSums#kindOf}), each loss and logit alone. */
    private void addElements(AnchorBlock block) {
        int n = block.anchors();
        double[] sums = block.anchorLoss;
        int[] peaks = block.anchorPositives;
        java.util.Arrays.fill(sums, 0, n, 0);
        java.util.Arrays.fill(peaks, 0, n, 0);
        double[] x = block.x;
        double[] t = block.t;
        double[] l = block.loss;
        for (int c = 0; c < block.classes(); c++) {
            int o = block.offset(c);
            for (int j = 0; j < n; j++) {
                int i = o + j;
                int k = HeatmapSums.kindOf(t[i]);
                sums[j] += l[i];
                peaks[j] += k == HeatmapSums.PEAK ? 1 : 0;
                addLoss(k, l[i]);
                if (x[i] == x[i]) {
                    logit[k][logitBin(x[i])]++;
                }
            }
        }
    }

    private void addLoss(int kind, double v) {
        if (v == 0) {
            zeroLoss[kind]++;
        } else if (v > 0 && v <= Double.MAX_VALUE) {
            loss[kind][lossBin(v)]++;
        }
    }

    /** The bin of a positive finite loss: its binary exponent and the first bit of its mantissa. */
    static int lossBin(double v) {
        long bits = Double.doubleToRawLongBits(v);
        int exponent = (int) (bits >>> 52) - 1023;
        if (exponent < MIN_EXPONENT) {
            return 0;
        }
        if (exponent > MAX_EXPONENT) {
            return LOSS_BINS - 1;
        }
        return 2 * (exponent - MIN_EXPONENT) + (int) ((bits >>> 51) & 1);
    }

    /** The lower edge of a loss bin: 2^e or 1.5 * 2^e. */
    public static double lossEdge(int bin) {
        return Math.scalb(bin % 2 == 0 ? 1.0 : 1.5, MIN_EXPONENT + bin / 2);
    }

    /** The bin of x_t (not NaN); a cast is floor on the values it is left with. */
    static int logitBin(double xt) {
        double b = (xt + LOGIT_LIMIT) * LOGIT_STEPS;
        return b < 0 ? 0 : b >= LOGIT_BINS ? LOGIT_BINS - 1 : (int) b;
    }

    /** The lower edge of an x_t bin. */
    public static double logitEdge(int bin) {
        return (double) bin / LOGIT_STEPS - LOGIT_LIMIT;
    }

    void merge(Histograms o) {
        for (int k = 0; k < 3; k++) {
            zeroLoss[k] += o.zeroLoss[k];
            for (int b = 0; b < LOSS_BINS; b++) {
                loss[k][b] += o.loss[k][b];
            }
        }
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < LOGIT_BINS; b++) {
                logit[s][b] += o.logit[s][b];
            }
        }
    }

    /** Whether the kinds are a heatmap loss's, of elements. */
    public boolean elementKinds() {
        return elementKinds;
    }

    /** Anchors (a heatmap loss's elements) of a kind by loss bin (a copy). */
    public long[] loss(AnchorKind k) {
        return loss[k.ordinal()].clone();
    }

    public long zeroLoss(AnchorKind k) {
        return zeroLoss[k.ordinal()];
    }

    /**
     * Elements by logit bin (a copy). The sigmoid focal loss: x_t of the positive elements for
     * {@code POSITIVE}, of the negative ones for {@code NEGATIVE} (none for {@code IGNORED}). A
     * heatmap loss: x of the elements of kind k.
     */
    public long[] logit(AnchorKind k) {
        return logit[k.ordinal()].clone();
    }
}
