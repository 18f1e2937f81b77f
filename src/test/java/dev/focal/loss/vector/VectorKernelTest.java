package dev.focal.loss.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.loss.LossMath;
import dev.focal.stats.AnchorBlock;
import dev.focal.stats.AnchorSums;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.BlockSums;
import dev.focal.stats.LossAccumulator;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The vector kernel's own exp and log1p against Math's over their whole domains in the kernel:
 * dense sweeps, every binade down to the subnormals, the branch and cut-off boundaries, and the
 * special values, each held to the largest distance in double ulps measured on this machine.
 */
class VectorKernelTest {
    private static final int SWEEP = 1 << 20;

    @Test
    void expNegAbsIsWithinOneUlpOfMathDownToTheSubnormals() {
        double[] x = new double[SWEEP];
        for (int i = 0; i < SWEEP; i++) {
            // Both signs, as the kernel sees them; past 745.13 the result rounds to 0.
            x[i] = -800 + 1600.0 * i / (SWEEP - 1);
        }
        Errors dense = compare(x, VectorKernel::expNegAbs, v -> Math.exp(-Math.abs(v)));
        assertTrue(dense.subnormal > 1000, "the sweep reaches the subnormal results: " + dense);
        assertTrue(dense.max <= 1, "exp over [-800, 800]: " + dense);

        Errors small = compare(binades(-1074, 10, 64), VectorKernel::expNegAbs, v -> Math.exp(-Math.abs(v)));
        assertTrue(small.max <= 1, "exp of |x| in every binade up to 2^10: " + small);

        double underflow = 745.1332191019412; // exp(-x) is half the smallest subnormal here
        double[] special = {0.0, -0.0, Double.MIN_VALUE, 1e-300, 0x1p-53, Math.log(2) / 2, 708.3964185322641,
            708.4, 744.44007192138, Math.nextDown(underflow), underflow, Math.nextUp(underflow), 746, 1e300,
            Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        Errors edges = compare(special, VectorKernel::expNegAbs, v -> Math.exp(-Math.abs(v)));
        assertTrue(edges.max <= 1, "exp at the special values: " + edges);
        double[] out = apply(new double[] {0.0, -0.0, 1e300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.NaN, Double.MIN_VALUE, 745.2}, VectorKernel::expNegAbs);
        assertEquals(Arrays.toString(new double[] {1, 1, 0, 0, 0, Double.NaN, 1, 0}), Arrays.toString(out));
    }

    @Test
    void log1pIsWithinTwoUlpsOfMathOnZeroToOneIncludingSubnormals() {
        double[] e = new double[SWEEP];
        for (int i = 0; i < SWEEP; i++) {
            e[i] = (double) i / (SWEEP - 1);
        }
        Errors dense = compare(e, VectorKernel::log1p, Math::log1p);
        assertTrue(dense.max <= 2, "log1p over [0, 1]: " + dense);

        Errors small = compare(binades(-1074, -1, 256), VectorKernel::log1p, Math::log1p);
        assertTrue(small.subnormal > 1000, "the sweep covers subnormal arguments: " + small);
        assertTrue(small.max <= 2, "log1p in every binade below 1: " + small);

        double[] special = {0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-54, 0x1p-53, Math.nextUp(0x1p-53),
            0x1p-52, 1e-8, Math.sqrt(2) - 1, 0.5, Math.nextDown(1.0), 1.0, Double.NaN};
        Errors edges = compare(special, VectorKernel::log1p, Math::log1p);
        assertTrue(edges.max <= 2, "log1p at the special values: " + edges);
        double[] out = apply(new double[] {0.0, Double.MIN_VALUE, 1e-300, Double.NaN}, VectorKernel::log1p);
        assertEquals(Arrays.toString(new double[] {0.0, Double.MIN_VALUE, 1e-300, Double.NaN}),
                Arrays.toString(out));
    }

    /** The name the kernel choice shows (--debug): the lanes of the JVM's preferred vector. */
    @Test
    void theNameSaysHowManyLanes() {
        assertTrue(new VectorKernel().toString().matches("vector \\((2|4|8) x double\\)"), new VectorKernel().toString());
    }

    /**
     * The vector kernel and its scalar twin give the same bits, lanes and tail alike, for every
     * gamma (the unusual ones go through Math.pow in both), soft and hard targets, and the
     * non-finite and extreme logits: an evaluation may hand any block to either.
     */
    @Test
    void vectorKernelAndItsScalarTwinAreBitIdentical() {
        SplittableRandom rnd = new SplittableRandom(11);
        double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300,
            -1e300, 745.2, -745.2, 17.5, -17.5, Double.MIN_VALUE, 88.7, -104, 746, -746, Math.nextUp(746.0),
            Math.nextDown(-746.0), 1077, -1e20};
        int n = 4099; // not a multiple of any lane count: the tail runs too
        double[] x = new double[n];
        double[] t = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < specials.length ? specials[i] : rnd.nextInt(4) == 0 ? rnd.nextDouble(-800, 800)
                    : rnd.nextGaussian() * 6;
            t[i] = rnd.nextInt(3) == 0 ? rnd.nextDouble() : rnd.nextInt(2);
            w[i] = rnd.nextInt(10) == 0 ? 0 : rnd.nextDouble(0, 3);
        }
        LossMath vector = new VectorKernel();
        int compared = 0;
        for (double gamma : new double[] {2, 1, 0, 0.5, 3.7}) {
            for (double alpha : new double[] {0.25, 0.5, 1}) {
                double[][] lanes = {new double[n], new double[n]};
                double[][] twin = {new double[n], new double[n]};
                vector.evaluate(x, t, w, n, gamma, alpha, lanes[0], lanes[1]);
                LossMath.POLYNOMIAL.evaluate(x, t, w, n, gamma, alpha, twin[0], twin[1]);
                for (int k = 0; k < 2; k++) {
                    for (int i = 0; i < n; i++) {
                        long a = Double.doubleToLongBits(lanes[k][i]);
                        long b = Double.doubleToLongBits(twin[k][i]);
                        assertEquals(b, a, (k == 0 ? "loss" : "focal") + " at x=" + x[i] + " t=" + t[i] + " w=" + w[i]
                                + " gamma=" + gamma + " alpha=" + alpha + ": " + lanes[k][i] + " vs " + twin[k][i]);
                        compared += Double.isFinite(lanes[k][i]) && lanes[k][i] != 0 ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(compared > 50_000, "mostly finite, non-zero values compared: " + compared);
    }

    /**
     * The summary's sums in vector lanes and in BlockSums' scalar loop give the same bits, and the
     * same counts, for one to five classes, weights per anchor (shared by the classes) and per
     * element, runs that start anywhere and end in a tail, a sample boundary inside the block, and
     * a NaN target (which sends a run to the scalar loop).
     */
    @Test
    void anchorSumsInLanesAndInTheScalarLoopAreBitIdentical() {
        SplittableRandom rnd = new SplittableRandom(5);
        AnchorSums vector = new VectorKernel();
        int compared = 0;
        for (int classes = 1; classes <= 5; classes++) {
            for (boolean perAnchorWeights : new boolean[] {true, false}) {
                for (boolean nanTarget : new boolean[] {false, true}) {
                    int n = 1000 + rnd.nextInt(8);
                    AnchorBlock block = new AnchorBlock(classes, n, perAnchorWeights);
                    block.hold(n);
                    for (int j = 0; j < n; j++) {
                        int label = rnd.nextInt(10) == 0 ? rnd.nextInt(classes) : -1;
                        // Ignored by +0 and -0 weights; a NaN weight does not ignore.
                        double weight = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? 0.0 : -0.0)
                                : rnd.nextInt(60) == 0 ? Double.NaN : rnd.nextDouble();
                        for (int c = 0; c < classes; c++) {
                            int i = block.offset(c) + j;
                            block.t[i] = c == label ? 1 : rnd.nextInt(20) == 0 ? rnd.nextDouble(-0.5, 0.5) : 0;
                            block.w[i] = perAnchorWeights || rnd.nextInt(3) != 0 ? weight : -0.0;
                            // Magnitudes far apart, so that any other order of additions would round differently.
                            block.loss[i] = Math.scalb(rnd.nextDouble(), rnd.nextInt(-40, 40));
                            block.focal[i] = rnd.nextDouble();
                        }
                    }
                    if (nanTarget) {
                        block.t[n / 2] = Double.NaN;
                        // Four anchors in a row, one in each lane, whose NaN target sits beside a
                        // positive one: positive anchors, which only the scalar loop can tell.
                        for (int j = n / 2 + 8; j < n / 2 + 12 && classes > 1; j++) {
                            for (int c = 0; c < classes; c++) {
                                block.t[block.offset(c) + j] = c == 0 ? Double.NaN : c == 1 ? 1 : 0;
                                block.w[block.offset(c) + j] = 0.5;
                            }
                        }
                    }
                    // Two samples split inside the block: runs that start off a multiple of four and end in a tail.
                    long firstAnchor = -rnd.nextInt(1, 7);
                    LossAccumulator lanes = sum(vector, block, firstAnchor);
                    LossAccumulator twin = sum(AnchorSums.SCALAR, block, firstAnchor);
                    String where = classes + " classes, weights per " + (perAnchorWeights ? "anchor" : "element")
                            + (nanTarget ? ", a NaN target" : "");
                    for (AnchorKind k : AnchorKind.values()) {
                        assertEquals(twin.anchors(k), lanes.anchors(k), where);
                        assertEquals(Double.doubleToLongBits(twin.lossSum(k)),
                                Double.doubleToLongBits(lanes.lossSum(k)), k + ", " + where);
                        assertEquals(Double.doubleToLongBits(twin.focalMean(k)),
                                Double.doubleToLongBits(lanes.focalMean(k)), k + ", " + where);
                        compared += Double.isFinite(lanes.lossSum(k)) && lanes.anchors(k) > 0 ? 1 : 0;
                    }
                    for (int c = 0; c < classes; c++) {
                        assertEquals(twin.classPositives(c), lanes.classPositives(c), where);
                        assertEquals(Double.doubleToLongBits(twin.classLoss(c)),
                                Double.doubleToLongBits(lanes.classLoss(c)), where);
                    }
                    for (int s = 0; s < 2; s++) {
                        assertEquals(Double.doubleToLongBits(twin.sampleLoss(s)),
                                Double.doubleToLongBits(lanes.sampleLoss(s)), where);
                    }
                }
            }
        }
        assertTrue(compared >= 5 * 2 * 2 * 3 - 4, "finite sums of every kind compared: " + compared);
    }

    /**
     * The block as anchors {@code firstAnchor..} of a head whose samples are 1,010 anchors each: a
     * negative first anchor puts the samples' boundary 1 to 6 anchors into the block.
     */
    private static LossAccumulator sum(AnchorSums kernel, AnchorBlock block, long firstAnchor) {
        LossAccumulator acc = new LossAccumulator(block.classes(), 0, 2);
        BlockSums sums = new BlockSums(block.classes(), block.anchors());
        acc.addBlock(firstAnchor + 1010, block, 1010, (from, to) -> {
            sums.clear();
            kernel.sum(sums, block, from, to);
            return sums;
        });
        return acc;
    }

    /** {@code perBinade} random values in each binade [2^k, 2^(k+1)) for k from..to, subnormals included. */
    private static double[] binades(int from, int to, int perBinade) {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] v = new double[(to - from + 1) * perBinade];
        int i = 0;
        for (int k = from; k <= to; k++) {
            for (int j = 0; j < perBinade; j++) {
                v[i++] = Math.scalb(1 + rnd.nextLong(1L << 52) * 0x1p-52, k);
            }
        }
        return v;
    }

    /**
     * The lanes' loops cover whole vectors only: pad to a multiple of every lane count, then cut
     * back. No vector types here, so this compiles without the incubating module.
     */
    private static double[] apply(double[] in, LaneLoop f) {
        double[] padded = Arrays.copyOf(in, (in.length + 63) / 64 * 64);
        double[] out = new double[padded.length];
        f.apply(padded, padded.length, out);
        return Arrays.copyOf(out, in.length);
    }

    private interface LaneLoop {
        void apply(double[] in, int n, double[] out);
    }

    private static Errors compare(double[] in, LaneLoop f, DoubleUnaryOperator reference) {
        double[] out = apply(in, f);
        Errors errors = new Errors();
        for (int i = 0; i < in.length; i++) {
            double expected = reference.applyAsDouble(in[i]);
            if (Double.isNaN(expected) || Double.isNaN(out[i])) {
                assertTrue(Double.isNaN(expected) && Double.isNaN(out[i]), in[i] + ": " + out[i] + " vs " + expected);
                continue;
            }
            long ulps = Math.abs(Double.doubleToLongBits(out[i]) - Double.doubleToLongBits(expected));
            if (ulps > errors.max) {
                errors.max = ulps;
                errors.worst = in[i];
            }
            if (expected != 0 && expected < Double.MIN_NORMAL) {
                errors.subnormal++;
            }
        }
        return errors;
    }

    private static final class Errors {
        long max;
        double worst;
        int subnormal;

        @Override
        public String toString() {
            return "max " + max + " ulps at " + worst + ", " + subnormal + " subnormal results";
        }
    }
}
