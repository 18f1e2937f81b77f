package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The kind of an anchor and the order of the additions, which every implementation must follow. */
class BlockSumsTest {
    private static final double NAN = Double.NaN;
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /** A block of the anchors given as rows of (target, weight, loss, focal factor) per class. */
    private static AnchorBlock block(double[][]... anchors) {
        int classes = anchors[0].length;
        AnchorBlock b = new AnchorBlock(classes, anchors.length, false);
        b.hold(anchors.length);
        for (int j = 0; j < anchors.length; j++) {
            for (int c = 0; c < classes; c++) {
                int i = b.offset(c) + j;
                b.t[i] = anchors[j][c][0];
                b.w[i] = anchors[j][c][1];
                b.loss[i] = anchors[j][c][2];
                b.focal[i] = anchors[j][c][3];
            }
        }
        return b;
    }

    /** Class c's (target, weight, loss, focal factor). */
    private static double[] c(double t, double w, double loss, double focal) {
        return new double[] {t, w, loss, focal};
    }

    private static BlockSums sum(AnchorBlock block, int from, int to) {
        BlockSums sums = new BlockSums(block.classes(), block.anchors());
        sums.prepare(block, from, to);
        sums.addAnchors(block, from, to, from);
        return sums;
    }

    @Test
    void ignoredWhenAllWeightsAre0ElsePositiveWhenATargetIsAbove0EvenBesideANaNOrMinusInfinity() {
        AnchorBlock b = block(
                new double[][] {c(0, 1, 0, 0), c(1, 1, 0, 0)},        // positive
                new double[][] {c(NAN, 1, 0, 0), c(1, 1, 0, 0)},      // positive: a 1 beside the NaN
                new double[][] {c(NEG_INF, 1, 0, 0), c(1, 1, 0, 0)},  // positive: a 1 beside -inf
                new double[][] {c(NAN, 1, 0, 0), c(0, 1, 0, 0)},      // negative: no target above 0
                new double[][] {c(1, 0, 0, 0), c(0, -0.0, 0, 0)},     // ignored: both weights are 0
                new double[][] {c(0, 0, 0, 0), c(0, NAN, 0, 0)},      // negative: a NaN weight is not 0
                new double[][] {c(-1, 0, 0, 0), c(0.5, 2, 0, 0)},     // positive: one weight is not 0
                new double[][] {c(NEG_INF, 1, 0, 0), c(0, 1, 0, 0)}); // negative: no target above 0
        BlockSums sums = sum(b, 0, 8);
        assertEquals(List.of(4L, 3L, 1L), List.of(sums.anchors[AnchorKind.POSITIVE.ordinal()],
                sums.anchors[AnchorKind.NEGATIVE.ordinal()], sums.anchors[AnchorKind.IGNORED.ordinal()]));
        // class 0: only the ignored anchor has a target above 0 there
        assertEquals(List.of(0L, 4L), List.of(sums.classPositives[0], sums.classPositives[1]));
        int[] kinds = new int[8];
        for (int j = 0; j < 8; j++) {
            kinds[j] = BlockSums.kindOf(b, j);
        }
        int p = AnchorKind.POSITIVE.ordinal();
        int n = AnchorKind.NEGATIVE.ordinal();
        assertEquals(List.of(p, p, p, n, AnchorKind.IGNORED.ordinal(), n, p, n),
                java.util.Arrays.stream(kinds).boxed().toList());
    }

    /**
     * Lanes of every fourth anchor, added (0 + 1) + (2 + 3): with 2^53 in lane 0, the 1s of lane
     * 0 are lost and those of lanes 1 to 3 are not, as a single running sum would lose them all.
     */
    @Test
    void anchorsAddUpInFourLanesOfEveryFourthAnchor() {
        double[][][] anchors = new double[9][][];
        for (int j = 0; j < 9; j++) {
            anchors[j] = new double[][] {c(0, 1, j == 1 ? 0x1p53 : 1, 0)};
        }
        // The run from anchor 1: lane 0 has anchors 1 and 5 (2^53 + 1 = 2^53), lanes 1 to 3 two 1s each.
        BlockSums sums = sum(block(anchors), 1, 9);
        assertEquals(0x1p53 + 6, sums.loss(AnchorKind.NEGATIVE.ordinal()), 0);
        assertEquals(0x1p53 + 6, sums.total(), 0);
        double running = 0;
        for (int j = 1; j < 9; j++) {
            running += anchors[j][0][2];
        }
        assertEquals(0x1p53, running, 0, "a single running sum would have lost every 1");
    }

    @Test
    void anAnchorsLossAndFocalFactorAreItsClassesAddedInClassOrder() {
        AnchorBlock b = block(new double[][] {c(0, 1, 1, 0.25), c(0, 1, 0x1p53, 0.5), c(0, 1, -0x1p53, 0.125)});
        BlockSums sums = sum(b, 0, 1);
        assertEquals(0, sums.loss(AnchorKind.NEGATIVE.ordinal()), 0, "(1 + 2^53) - 2^53 rounds the 1 away");
        assertEquals(0.875, sums.focal(AnchorKind.NEGATIVE.ordinal()), 0);
    }
}
