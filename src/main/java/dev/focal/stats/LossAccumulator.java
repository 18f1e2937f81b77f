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
     * Adds a block of {@code count} whole anchors laid out [anchor][class] from index 0 of the
     * arrays; {@code firstAnchor} is the first one's anchor index. Within a block (a few thousand
     * elements) the sums are plain double additions in a fixed order (index order, but for the
     * per-class sums, see {@link #classSum}), held in locals; they are folded into the compensated
     * totals once per block, which keeps the per-element cost low and the result independent of
     * how blocks are spread over threads.
     */
    public void addBlock(long firstAnchor, int count, double[] x, double[] t, double[] w, double[] loss,
                         double[] focal, long anchorsPerSample) {
        double blockTotal = 0;
        double positiveLoss = 0;
        double negativeLoss = 0;
        double ignoredLoss = 0;
        double positiveFocal = 0;
        double negativeFocal = 0;
        double ignoredFocal = 0;
        long positives = 0;
        long ignoreds = 0;
        boolean perSample = sampleLoss.length > 0;
        // The sample of an anchor changes at known anchors: no division per anchor.
        int sample = perSample ? (int) (firstAnchor / anchorsPerSample) : 0;
        long nextSample = perSample ? (sample + 1) * anchorsPerSample : Long.MAX_VALUE;
        double sampleSum = 0;
        boolean rare = top.capacity() > 0;
        // One flat loop over the elements rather than a loop over anchors around a loop over
        // classes: C2 wraps a loop of unknown, tiny trip count in pre- and post-loops, which cost
        // more than the anchor's arithmetic.
        double anchorLoss = 0;
        double anchorFocal = 0;
        boolean ignored = true;
        boolean positive = false;
        long anchor = firstAnchor;
        for (int i = 0, c = 1, n = count * classes; i < n; i++, c++) {
            anchorLoss += loss[i];
            anchorFocal += focal[i];
            ignored &= w[i] == 0;
            positive |= t[i] > 0;
            if (c < classes) {
                continue;
            }
            int base = i + 1 - classes;
            // Real heads have ~99% negative anchors, so these branches predict well.
            int k;
            if (ignored) {
                k = AnchorClass.IGNORED.ordinal();
                ignoreds++;
                ignoredLoss += anchorLoss;
                ignoredFocal += anchorFocal;
            } else if (positive) {
                k = AnchorClass.POSITIVE.ordinal();
                positives++;
                positiveLoss += anchorLoss;
                positiveFocal += anchorFocal;
                for (int p = 0; p < classes; p++) {
                    if (t[base + p] > 0) {
                        classPositives[p]++;
                    }
                }
            } else {
                k = AnchorClass.NEGATIVE.ordinal();
                negativeLoss += anchorLoss;
                negativeFocal += anchorFocal;
            }
            blockTotal += anchorLoss;
            if (anchor == nextSample) {
                sampleLoss[sample++].add(sampleSum);
                sampleSum = 0;
                nextSample += anchorsPerSample;
            }
            sampleSum += anchorLoss;
            // A non-finite logit always makes its loss non-finite, so one test covers both.
            if (rare || !Double.isFinite(anchorLoss + anchorFocal)) {
                rareCases(k, anchor * classes, x, loss, base);
            }
            anchor++;
            c = 0;
            anchorLoss = 0;
            anchorFocal = 0;
            ignored = true;
            positive = false;
        }
        if (perSample && count > 0) {
            sampleLoss[sample].add(sampleSum);
        }
        anchors[AnchorClass.POSITIVE.ordinal()] += positives;
        anchors[AnchorClass.IGNORED.ordinal()] += ignoreds;
        anchors[AnchorClass.NEGATIVE.ordinal()] += count - positives - ignoreds;
        total.add(blockTotal);
        lossSum[AnchorClass.POSITIVE.ordinal()].add(positiveLoss);
        lossSum[AnchorClass.NEGATIVE.ordinal()].add(negativeLoss);
        lossSum[AnchorClass.IGNORED.ordinal()].add(ignoredLoss);
        focalSum[AnchorClass.POSITIVE.ordinal()].add(positiveFocal);
        focalSum[AnchorClass.NEGATIVE.ordinal()].add(negativeFocal);
        focalSum[AnchorClass.IGNORED.ordinal()].add(ignoredFocal);
        for (int c = 0; c < classes; c++) {
            classLoss[c].add(classSum(loss, c, count, classes));
        }
    }

    /**
     * The loss of one class over a block's anchors, as four interleaved partial sums (anchors
     * j mod 4) added in a fixed order: four independent chains of additions instead of one, each
     * waiting on the adder's latency.
     */
    private static double classSum(double[] loss, int c, int count, int classes) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = c;
        for (int end = c + (count & ~3) * classes; i < end; i += 4 * classes) {
            s0 += loss[i];
            s1 += loss[i + classes];
            s2 += loss[i + 2 * classes];
            s3 += loss[i + 3 * classes];
        }
        for (int end = count * classes; i < end; i += classes) {
            s0 += loss[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Non-finite values and --top: per-element bookkeeping that almost no anchor needs. */
    private void rareCases(int k, long firstIndex, double[] x, double[] loss, int base) {
        for (int c = 0; c < classes; c++) {
            int i = base + c;
            if (!Double.isFinite(x[i])) {
                nonFiniteLogits++;
            }
            if (!Double.isFinite(loss[i]) && nonFiniteLoss[k]++ == 0) {
                firstNonFiniteLoss[k] = firstIndex + c;
            }
            top.offer(firstIndex + c, loss[i]);
        }
    }

    /** Appends a later range's figures to this one's. */
    public void merge(LossAccumulator o) {
        total.add(o.total);
        for (int k = 0; k < 3; k++) {
            anchors[k] += o.anchors[k];
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

    public double lossSum(AnchorClass k) {
        return lossSum[k.ordinal()].value();
    }

    /** Mean of q^gamma over the elements of this kind of anchor; NaN when there are none. */
    public double focalMean(AnchorClass k) {
        long n = anchors[k.ordinal()] * classes;
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
