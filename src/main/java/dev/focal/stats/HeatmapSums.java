package dev.focal.stats;

/**
 * Sums a block of a heatmap loss by kind of element (docs/semantics.md#heatmap-element-kinds):
 * a peak where the target is 1, near where it lies strictly between 0 and 1, background
 * elsewhere (0, and the targets outside [0, 1] or NaN, which the data warning names). The kinds
 * take the three slots of {@link AnchorKind} in that order, and count elements, not anchors;
 * each class's peaks go to the class's positives. Lanes as {@link BlockSums} defines them.
 */
public final class HeatmapSums implements AnchorSums {
    public static final HeatmapSums INSTANCE = new HeatmapSums();
    static final int PEAK = AnchorKind.POSITIVE.ordinal();
    static final int NEAR = AnchorKind.NEGATIVE.ordinal();
    static final int BACKGROUND = AnchorKind.IGNORED.ordinal();

    private HeatmapSums() {
    }

    @Override
    public void sum(BlockSums sums, AnchorBlock block, int from, int to) {
        long peaks = 0;
        long near = 0;
        for (int c = 0; c < block.classes(); c++) {
            int off = block.offset(c);
            long classPeaks = 0;
            for (int j = from; j < to; j++) {
                int k = kindOf(block.t[off + j]);
                int lane = k * BlockSums.LANES + (j - from & BlockSums.LANES - 1);
                sums.lossLanes[lane] += block.loss[off + j];
                sums.focalLanes[lane] += block.focal[off + j];
                // Counted in registers: an increment of an array element per element would wait
                // on the previous one's store.
                classPeaks += k == PEAK ? 1 : 0;
                near += k == NEAR ? 1 : 0;
            }
            sums.classPositives[c] += classPeaks;
            peaks += classPeaks;
        }
        sums.anchors[PEAK] += peaks;
        sums.anchors[NEAR] += near;
        sums.anchors[BACKGROUND] += (long) (to - from) * block.classes() - peaks - near;
    }

    /** The kind (the AnchorKind slot) of an element with target t. */
    static int kindOf(double t) {
        return t == 1 ? PEAK : t > 0 && t < 1 ? NEAR : BACKGROUND;
    }
}
