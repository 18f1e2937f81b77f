package dev.focal.stats;

/**
 * The loss and focal factor of a run of anchors summed by kind of anchor, in {@value #LANES}
 * lanes: anchor {@code lane0 + i} goes to lane {@code i mod 4}, each lane adds its anchors in
 * index order, and the lanes are added as (0 + 1) + (2 + 3). That is the order four double lanes
 * of a SIMD register give, so a vector implementation and {@link #addAnchors}, its scalar twin
 * (and tail), compute the same bits, and a pass may hand any block to either.
 * <p>
 * An anchor is ignored when all its weights are 0, else positive when one of its targets is
 * above 0, else negative. {@link #prepare} first reduces each anchor's classes, in loops over the
 * anchors that the JIT vectorises, to four figures: its loss and focal factor (its classes' added
 * in class order), the sum of its weights' magnitudes (0 when it is ignored) and the sum of
 * {@code |t| + t} over its targets, which is above 0 when a target is (2t, where the rest add 0),
 * and NaN when a target is NaN or -inf, for which the kind takes a look at each target.
 */
public final class BlockSums {
    public static final int LANES = 4;
    static final int POSITIVE = AnchorKind.POSITIVE.ordinal();
    private static final int NEGATIVE = AnchorKind.NEGATIVE.ordinal();
    static final int IGNORED = AnchorKind.IGNORED.ordinal();

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

    public void clear() {
        java.util.Arrays.fill(lossLanes, 0);
        java.util.Arrays.fill(focalLanes, 0);
        java.util.Arrays.fill(anchors, 0);
        java.util.Arrays.fill(classPositives, 0);
    }

    /**
     * Reduces anchors {@code from..to-1} of the block to the four figures the class comment names,
     * which {@link #anchorLoss} and its siblings then return. A single class, and weights that
     * every class shares, are used where they are.
     */
    public void prepare(AnchorBlock block, int from, int to) {
        int classes = block.classes();
        if (classes == 1) {
            anchorLoss = block.loss;
            anchorFocal = block.focal;
            anchorTarget = block.t;
        } else {
            // Class 0's run starts at 0, so its index is the anchor's.
            anchorLoss = lossScratch;
            anchorFocal = focalScratch;
            anchorTarget = targetScratch;
            System.arraycopy(block.loss, from, anchorLoss, from, to - from);
            System.arraycopy(block.focal, from, anchorFocal, from, to - from);
            for (int j = from; j < to; j++) {
                anchorTarget[j] = Math.abs(block.t[j]) + block.t[j];
            }
            for (int c = 1; c < classes; c++) {
                int off = block.offset(c);
                for (int j = from; j < to; j++) {
                    double t = block.t[off + j];
                    anchorLoss[j] += block.loss[off + j];
                    anchorFocal[j] += block.focal[off + j];
                    anchorTarget[j] += Math.abs(t) + t;
                }
            }
        }
        if (block.weightsPerAnchor()) {
            anchorWeight = block.w;
        } else {
            anchorWeight = weightScratch;
            java.util.Arrays.fill(anchorWeight, from, to, 0);
            for (int c = 0; c < classes; c++) {
                int off = block.offset(c);
                for (int j = from; j < to; j++) {
                    anchorWeight[j] += Math.abs(block.w[off + j]);
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

    /** Per anchor, after {@link #prepare}: above 0 when a target is, NaN when one is NaN or -inf. */
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
    public void addLanes(AnchorKind kind, double[] loss, double[] focal, long count) {
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
    public void countPositive(AnchorBlock block, int j) {
        for (int c = 0; c < classPositives.length; c++) {
            if (block.t[block.offset(c) + j] > 0) {
                classPositives[c]++;
            }
        }
        anchors[POSITIVE]++;
    }

    /** Adds anchors {@code from..to-1} of {@link #prepare}'s run, anchor j to lane {@code (j - lane0) mod 4}. */
    public void addAnchors(AnchorBlock block, int from, int to, int lane0) {
        long positivesBefore = anchors[POSITIVE];
        long ignoreds = 0;
        for (int j = from; j < to; j++) {
            double target = anchorTarget[j];
            int k;
            // Real heads have ~99% negative anchors, so these branches predict well.
            if (anchorWeight[j] == 0) {
                k = IGNORED;
                ignoreds++;
            } else if (target > 0 || target != target && anyTargetAbove0(block, j)) {
                k = POSITIVE;
                countPositive(block, j);
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

    private static boolean anyTargetAbove0(AnchorBlock block, int j) {
        for (int c = 0; c < block.classes(); c++) {
            if (block.t[block.offset(c) + j] > 0) {
                return true;
            }
        }
        return false;
    }

    /** The kind (AnchorKind ordinal) of anchor j of a block, as the class comment defines it. */
    static int kindOf(AnchorBlock block, int j) {
        boolean ignored = true;
        for (int c = 0; c < block.classes(); c++) {
            ignored &= block.w[block.offset(c) + j] == 0;
        }
        return ignored ? IGNORED : anyTargetAbove0(block, j) ? POSITIVE : NEGATIVE;
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
