package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The kind of an anchor and the order of the additions, which every implementation must follow. */
class BlockSumsTest {
    private static final double NAN = Double.NaN;

    /** Two classes; one array per class, as a block holds them. */
    private static double[][] columns(double[]... perAnchor) {
        double[][] byClass = new double[perAnchor[0].length][perAnchor.length];
        for (int j = 0; j < perAnchor.length; j++) {
            for (int c = 0; c < perAnchor[j].length; c++) {
                byClass[c][j] = perAnchor[j][c];
            }
        }
        return byClass;
    }

    private static BlockSums sum(double[][] t, double[][] w, double[][] loss, double[][] focal, int from, int to) {
        BlockSums sums = new BlockSums(t.length, t[0].length);
        sums.prepare(t, w, loss, focal, from, to);
        sums.addAnchors(t, from, to, from);
        return sums;
    }

    @Test
    void ignoredWhenAllWeightsAre0ElsePositiveWhenATargetIsAbove0EvenBesideANaN() {
        double[][] t = columns(new double[] {0, 1}, new double[] {NAN, 1}, new double[] {NAN, 0}, new double[] {1, 0},
                new double[] {0, 0}, new double[] {-1, 0.5});
        double[][] w = columns(new double[] {1, 1}, new double[] {1, 1}, new double[] {1, 1}, new double[] {0, -0.0},
                new double[] {0, NAN}, new double[] {0, 2});
        double[][] zeros = new double[2][6];
        BlockSums sums = sum(t, w, zeros, new double[2][6], 0, 6);
        // anchors: positive, positive (NaN beside a 1), negative (NaN beside a 0), ignored (both
        // weights zero), negative (a NaN weight is not 0), positive (one weight is not 0)
        assertEquals(List.of(3L, 2L, 1L), List.of(sums.anchors[AnchorClass.POSITIVE.ordinal()],
                sums.anchors[AnchorClass.NEGATIVE.ordinal()], sums.anchors[AnchorClass.IGNORED.ordinal()]));
        // class 0: only the ignored anchor has a target above 0 there
        assertEquals(List.of(0L, 3L), List.of(sums.classPositives[0], sums.classPositives[1]));
        for (int j = 0; j < 6; j++) {
            assertEquals(j == 0 || j == 1 || j == 5 ? 0 : j == 3 ? 2 : 1, BlockSums.kindOf(t, w, j), "anchor " + j);
        }
    }

    /**
     * Lanes of every fourth anchor, added (0 + 1) + (2 + 3): with 2^53 in lane 0, the 1s of lane
     * 0 are lost and those of lanes 1 to 3 are not, as a single running sum would lose them all.
     */
    @Test
    void anchorsAddUpInFourLanesOfEveryFourthAnchor() {
        int n = 9;
        double[][] loss = new double[1][n];
        java.util.Arrays.fill(loss[0], 1);
        loss[0][1] = 0x1p53; // anchor 1 of the run from 1 is lane 0's first
        double[][] t = new double[1][n];
        double[][] w = {new double[n]};
        java.util.Arrays.fill(w[0], 1);
        BlockSums sums = sum(t, w, loss, new double[1][n], 1, n);
        // lane 0: anchors 1, 5 -> 2^53 + 1 = 2^53; lane 1: anchors 2, 6 -> 2; lane 2: 3, 7 -> 2; lane 3: 4, 8 -> 2
        assertEquals(0x1p53 + 4 + 2, sums.loss(AnchorClass.NEGATIVE.ordinal()), 0);
        assertEquals(0x1p53 + 6, sums.total(), 0);
        double running = 0;
        for (int j = 1; j < n; j++) {
            running += loss[0][j];
        }
        assertEquals(0x1p53, running, 0, "a single running sum would have lost every 1");
    }

    @Test
    void anAnchorsLossAndFocalFactorAreItsClassesAddedInClassOrder() {
        double[][] loss = columns(new double[] {1, 0x1p53, -0x1p53});
        double[][] focal = columns(new double[] {0.25, 0.5, 0.125});
        BlockSums sums = sum(new double[3][1], columns(new double[] {1, 1, 1}), loss, focal, 0, 1);
        assertEquals(0, sums.loss(AnchorClass.NEGATIVE.ordinal()), 0, "(1 + 2^53) - 2^53 rounds the 1 away");
        assertEquals(0.875, sums.focal(AnchorClass.NEGATIVE.ordinal()), 0);
    }
}
