package dev.focal.stats;

/**
 * The loss and focal factor of a run of anchors summed by kind of anchor, in {@value #LANES}
 * lanes: anchor {@code lane0 + i} goes to lane {@code i mod 4}, each lane adds its anchors in
 * index order, and the lanes are added as (0 + 1) + (2 + 3). That is the order four double lanes
 * of a SIMD register give, so a vector implementation and {@link #addAnchors}, its scalar twin
 * (and tail), compute the same bits, and a pass may hand any block to either.
 * <p>
 * The arrays hold a block's anchors class by class ({@code loss[c][j]} is class c of anchor j).
 * {@link #prepare} first reduces each anchor's classes, in loops over the anchors that the JIT
 * vectorises, to four figures: its loss and focal factor (its classes' added in class order), its
 * largest target and the sum of its weights' magnitudes. An anchor is then ignored when that sum
 * is 0 (all its weights are), else positive when one of its targets is above 0, else negative.
 */
public final class BlockSums {
    public static final int LANES = 4;
    private static final int POSITIVE = AnchorClass.POSITIVE.ordinal();
    private static final int NEGATIVE = AnchorClass.NEGATIVE.ordinal();
    private static final int IGNORED = AnchorClass.IGNORED.ordinal();

    /** Lane sums, [kind * LANES + lane]. */
    final double[] lossLanes = new double[3 * LANES];
    final double[] focalLanes = new double[3 * LANES];
    final long[] anchors = new long[3];
    final long[] classPositives;
    private final double[] lossScratch;
    private final double[] focalScratch;
    private final double[] targetScratch;
    private final double[] weightScratch;
    private double[] anchorLoss;
    private double[] anchorFocal;
    private double[] anchorTarget;
    private double[] anchorWeight;

    /** For blocks of up to {@code capacity} anchors of {@code classes} classes. */
    public BlockSums(int classes, int capacity) {
        classPositives = new long[classes];
        lossScratch = new double[capacity];
        focalScratch = new double[capacity];
        targetScratch = new double[capacity];
        weightScratch = new double[capacity];
    }

    int capacity() {
        return lossScratch.length;
    }

    public void clear() {
        java.util.Arrays.fill(lossLanes, 0);
        java.util.Arrays.fill(focalLanes, 0);
        java.util.Arrays.fill(anchors, 0);
        java.util.Arrays.fill(classPositives, 0);
    }

    /**
     * Reduces anchors {@code from..to-1} to the four figures the class comment names, which
     * {@link #anchorLoss} and its siblings then return. A single class, and weights that every
     * class shares (one per anchor), are used where they are.
     */
    public void prepare(double[][] t, double[][] w, double[][] loss, double[][] focal, int from, int to) {
        int classes = t.length;
        boolean sharedWeights = true;
        for (double[] wc : w) {
            sharedWeights &= wc == w[0];
        }
        if (classes == 1) {
            anchorLoss = loss[0];
            anchorFocal = focal[0];
            anchorTarget = t[0];
        } else {
            anchorLoss = lossScratch;
            anchorFocal = focalScratch;
            anchorTarget = targetScratch;
            System.arraycopy(loss[0], from, anchorLoss, from, to - from);
            System.arraycopy(focal[0], from, anchorFocal, from, to - from);
            System.arraycopy(t[0], from, anchorTarget, from, to - from);
            for (int c = 1; c < classes; c++) {
                double[] lc = loss[c];
                double[] fc = focal[c];
                double[] tc = t[c];
                for (int j = from; j < to; j++) {
                    anchorLoss[j] += lc[j];
                    anchorFocal[j] += fc[j];
                    anchorTarget[j] = Math.max(anchorTarget[j], tc[j]);
                }
            }
        }
        if (sharedWeights) {
            anchorWeight = w[0];
        } else {
            anchorWeight = weightScratch;
            java.util.Arrays.fill(anchorWeight, from, to, 0);
            for (double[] wc : w) {
                for (int j = from; j < to; j++) {
                    anchorWeight[j] += Math.abs(wc[j]);
                }
            }
        }
    }

    /** Per anchor, after {@link #prepare}: its loss. */
    public double[] anchorLoss() {
        return anchorLoss;
    }

    /** Per anchor, after {@link #prepare}: its focal factor. */
    public double[] anchorFocal() {
        return anchorFocal;
    }

    /** Per anchor, after {@link #prepare}: its largest target, NaN when one is NaN. */
    public double[] anchorTarget() {
        return anchorTarget;
    }

    /** Per anchor, after {@link #prepare}: 0 when it is ignored. */
    public double[] anchorWeight() {
        return anchorWeight;
    }

    /**
     * Adds the four lanes of one kind that a vector implementation summed (lanes 0 to 3 of
     * {@code loss} and {@code focal}) and how many anchors of that kind it saw; it then hands the
     * rest of the run, under four anchors, to {@link #addAnchors}.
     */
    public void addLanes(AnchorClass kind, double[] loss, double[] focal, long count) {
        int k = kind.ordinal() * LANES;
        for (int lane = 0; lane < LANES; lane++) {
            lossLanes[k + lane] += loss[lane];
            focalLanes[k + lane] += focal[lane];
        }
        anchors[kind.ordinal()] += count;
    }

    /**
     * Counts positive anchor j (one of {@link #prepare}'s run) in every class whose target is
     * above 0, and as positive.
     */
    public void countPositive(double[][] t, int j) {
        for (int c = 0; c < t.length; c++) {
            if (t[c][j] > 0) {
                classPositives[c]++;
            }
        }
        anchors[POSITIVE]++;
    }

    /** Adds anchors {@code from..to-1} of {@link #prepare}'s run, anchor j to lane {@code (j - lane0) mod 4}. */
    public void addAnchors(double[][] t, int from, int to, int lane0) {
        long positivesBefore = anchors[POSITIVE];
        long ignoreds = 0;
        for (int j = from; j < to; j++) {
            double target = anchorTarget[j];
            int k;
            // Real heads have ~99% negative anchors, so these branches predict well.
            if (anchorWeight[j] == 0) {
                k = IGNORED;
                ignoreds++;
            } else if (target > 0 || target != target && anyTargetAbove0(t, j)) {
                k = POSITIVE;
                countPositive(t, j);
            } else {
                k = NEGATIVE;
            }
            int lane = k * LANES + (j - lane0 & LANES - 1);
            lossLanes[lane] += anchorLoss[j];
            focalLanes[lane] += anchorFocal[j];
        }
        anchors[IGNORED] += ignoreds;
        anchors[NEGATIVE] += to - from - ignoreds - (anchors[POSITIVE] - positivesBefore);
    }

    private static boolean anyTargetAbove0(double[][] t, int j) {
        for (double[] tc : t) {
            if (tc[j] > 0) {
                return true;
            }
        }
        return false;
    }

    /** The kind (AnchorClass ordinal) of anchor j of a block, as the class comment defines it. */
    static int kindOf(double[][] t, double[][] w, int j) {
        boolean ignored = true;
        for (double[] wc : w) {
            ignored &= wc[j] == 0;
        }
        return ignored ? IGNORED : anyTargetAbove0(t, j) ? POSITIVE : NEGATIVE;
    }

    /**
     * Whether some anchor's loss or focal factor was NaN or infinite: a lane that adds one stays
     * non-finite (it may also have overflowed, which only costs the caller a needless look).
     */
    boolean nonFinite() {
        for (int i = 0; i < lossLanes.length; i++) {
            if (!Double.isFinite(lossLanes[i] + focalLanes[i])) {
                return true;
            }
        }
        return false;
    }

    double loss(int kind) {
        return reduce(lossLanes, kind);
    }

    double focal(int kind) {
        return reduce(focalLanes, kind);
    }

    /** The loss of all the anchors, kind by kind. */
    double total() {
        return (loss(POSITIVE) + loss(NEGATIVE)) + loss(IGNORED);
    }

    private static double reduce(double[] lanes, int kind) {
        int k = kind * LANES;
        return (lanes[k] + lanes[k + 1]) + (lanes[k + 2] + lanes[k + 3]);
    }
}
