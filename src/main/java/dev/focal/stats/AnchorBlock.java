package dev.focal.stats;

/**
 * A block of whole anchors held class by class: in each array, class c of anchor j is at
 * {@code c * anchors() + j}. Everything an anchor needs is then at one index of a few runs of
 * elements, so the summary's per-anchor work runs in vector lanes, while the loss kernel still
 * sees one run of {@code classes * anchors()} elements.
 */
public final class AnchorBlock {
    private final int classes;
    /** Logits, targets, weights; then the loss and the focal factor q^gamma. */
    public final double[] x;
    public final double[] t;
    public final double[] w;
    public final double[] loss;
    public final double[] focal;
    /**
     * Per anchor, what the report's histograms work out (its kind, its loss summed over its
     * classes, its positive anchors or peaks, its non-finite losses) and the per-cell sums read:
     * here, one per worker, rather than in each range's histograms, which all stay on the heap
     * until the ranges merge.
     */
    final byte[] anchorKind;
    final double[] anchorLoss;
    final int[] anchorPositives;
    final int[] anchorNonFinite;
    /** Whether every class of an anchor has its weight (one weight per anchor). */
    private final boolean weightsPerAnchor;
    private int anchors;

    /**
     * A block of up to {@code capacity} anchors; {@code weightsPerAnchor} says that every class of
     * an anchor has its weight, which spares the sums a look at each class's.
     */
    public AnchorBlock(int classes, int capacity, boolean weightsPerAnchor) {
        this.classes = classes;
        this.weightsPerAnchor = weightsPerAnchor;
        int n = classes * capacity;
        x = new double[n];
        t = new double[n];
        w = new double[n];
        loss = new double[n];
        focal = new double[n];
        anchorKind = new byte[capacity];
        anchorLoss = new double[capacity];
        anchorPositives = new int[capacity];
        anchorNonFinite = new int[capacity];
    }

    public int classes() {
        return classes;
    }

    public int anchors() {
        return anchors;
    }

    /** Where class c's run starts. */
    public int offset(int c) {
        return c * anchors;
    }

    /** Takes {@code anchors} anchors next. */
    public void hold(int anchors) {
        this.anchors = anchors;
    }

    public boolean weightsPerAnchor() {
        return weightsPerAnchor;
    }
}
