package dev.focal.stats;

/**
 * The distributions the report draws, gathered in the pass when a report is asked for: the loss
 * of each anchor (summed over its classes) by kind of anchor, in half-octave bins, and the
 * logit toward the right answer, x_t = x for a positive element (target above 0.5) and -x for a
 * negative one, in bins of a quarter; p_t = sigmoid(x_t), so these are p_t's bins too, with no
 * exp per element. Counts only: merged in any order they give the same figures.
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

    /** [kind][bin]: anchors whose loss is in [2^(MIN_EXPONENT + bin/2), ...), positive and finite. */
    final long[][] loss = new long[3][LOSS_BINS];
    /** [kind]: anchors whose loss is 0 (no bin on a log axis). */
    final long[] zeroLoss = new long[3];
    /** [0 positive, 1 negative][bin]: elements of non-ignored anchors by x_t; NaN logits are left out. */
    final long[][] logit = new long[2][LOGIT_BINS];


    /**
     * Adds a block's anchors; a kind is that of {@link BlockSums#kindOf}. Class by class, as the
     * block holds them, so that each loop reads one run of memory.
     */
    void add(AnchorBlock block) {
        int n = block.anchors();
        // Left in the block for CellSums: each anchor's kind, and its loss summed in class order.
        byte[] kinds = block.anchorKind;
        double[] sums = block.anchorLoss;
        for (int j = 0; j < n; j++) {
            kinds[j] = (byte) BlockSums.kindOf(block, j);
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
            double sum = sums[j];
            if (sum == 0) {
                zeroLoss[kinds[j]]++;
            } else if (sum > 0 && sum <= Double.MAX_VALUE) {
                loss[kinds[j]][lossBin(sum)]++;
            }
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
        for (int s = 0; s < 2; s++) {
            for (int b = 0; b < LOGIT_BINS; b++) {
                logit[s][b] += o.logit[s][b];
            }
        }
    }

    /** Anchors of a kind by loss bin (a copy). */
    public long[] loss(AnchorKind k) {
        return loss[k.ordinal()].clone();
    }

    public long zeroLoss(AnchorKind k) {
        return zeroLoss[k.ordinal()];
    }

    /** Elements by x_t bin (a copy): of positive elements when {@code positive}, else of negative ones. */
    public long[] logit(boolean positive) {
        return logit[positive ? 0 : 1].clone();
    }
}
