package dev.focal.stats;

/**
 * Everything the summary reports, accumulated anchor by anchor over one contiguous range of
 * anchors. Ranges are merged in index order, so every figure is the same whatever the number
 * of threads that produced the ranges.
 */
public final class LossAccumulator {
    private final int classes;
    final CompensatedSum total = new CompensatedSum();
    final long[] anchors = new long[3];
    final long[] elements = new long[3];
    final CompensatedSum[] lossSum = sums(3);
    final CompensatedSum[] focalSum = sums(3);
    final long[] nonFiniteLoss = new long[3];
    final long[] firstNonFiniteLoss = {-1, -1, -1};
    final long[] classPositives;
    final CompensatedSum[] classLoss;
    long nonFiniteLogits;
    final TopK top;
    final CompensatedSum[] sampleLoss;

    /**
     * @param samples how many samples (groups of anchors along the first axis) to sum the loss
     *                of separately; 0 for none
     */
    public LossAccumulator(int classes, int topK, int samples) {
        this.classes = classes;
        this.classPositives = new long[classes];
        this.classLoss = sums(classes);
        this.top = new TopK(topK);
        this.sampleLoss = sums(samples);
    }

    private static CompensatedSum[] sums(int n) {
        CompensatedSum[] s = new CompensatedSum[n];
        for (int i = 0; i < n; i++) {
            s[i] = new CompensatedSum();
        }
        return s;
    }

    /**
     * Adds one anchor: its category, and per class its logit, target, loss and focal factor.
     * {@code firstIndex} is the flat index of the anchor's first element.
     */
    public void addAnchor(AnchorClass kind, int sample, long firstIndex, double[] logit, double[] target,
                          double[] loss, double[] focal) {
        int k = kind.ordinal();
        CompensatedSum perSample = sampleLoss.length > 0 ? sampleLoss[sample] : null;
        anchors[k]++;
        elements[k] += classes;
        for (int c = 0; c < classes; c++) {
            double l = loss[c];
            total.add(l);
            lossSum[k].add(l);
            focalSum[k].add(focal[c]);
            classLoss[c].add(l);
            if (perSample != null) {
                perSample.add(l);
            }
            if (kind != AnchorClass.IGNORED && target[c] > 0) {
                classPositives[c]++;
            }
            if (!Double.isFinite(logit[c])) {
                nonFiniteLogits++;
            }
            if (!Double.isFinite(l)) {
                if (nonFiniteLoss[k]++ == 0) {
                    firstNonFiniteLoss[k] = firstIndex + c;
                }
            }
            top.offer(firstIndex + c, l);
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
        }
        nonFiniteLogits += o.nonFiniteLogits;
        top.merge(o.top);
    }

    public int classes() {
        return classes;
    }

    public double totalLoss() {
        return total.value();
    }

    public long anchors(AnchorClass k) {
        return anchors[k.ordinal()];
    }

    public long elements(AnchorClass k) {
        return elements[k.ordinal()];
    }

    public double lossSum(AnchorClass k) {
        return lossSum[k.ordinal()].value();
    }

    /** Mean of q^gamma over the elements of this kind of anchor; NaN when there are none. */
    public double focalMean(AnchorClass k) {
        long n = elements[k.ordinal()];
        return n == 0 ? Double.NaN : focalSum[k.ordinal()].value() / n;
    }

    public long nonFiniteLoss(AnchorClass k) {
        return nonFiniteLoss[k.ordinal()];
    }

    /** Flat index of the first non-finite loss in this kind of anchor, or -1. */
    public long firstNonFiniteLoss(AnchorClass k) {
        return firstNonFiniteLoss[k.ordinal()];
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

    public TopK top() {
        return top;
    }
}
