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
    private int anchors;
    private boolean weightsPerAnchor;

    /** A block of up to {@code capacity} anchors. */
    public AnchorBlock(int classes, int capacity) {
        this.classes = classes;
        int n = classes * capacity;
        x = new double[n];
        t = new double[n];
        w = new double[n];
        loss = new double[n];
        focal = new double[n];
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

    /**
     * Takes {@code anchors} anchors next; {@code weightsPerAnchor} says that every class of an
     * anchor has its weight (one weight per anchor), which spares the sums a look at each class's.
     */
    public void hold(int anchors, boolean weightsPerAnchor) {
        this.anchors = anchors;
        this.weightsPerAnchor = weightsPerAnchor;
    }

    public boolean weightsPerAnchor() {
        return weightsPerAnchor;
    }
}
