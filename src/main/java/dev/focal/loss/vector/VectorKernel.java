package dev.focal.loss.vector;

import static dev.focal.loss.PolynomialMath.*;

import dev.focal.loss.FocalMath;
import dev.focal.loss.LossMath;
import dev.focal.loss.PolynomialMath;
import dev.focal.stats.AnchorBlock;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.AnchorSums;
import dev.focal.stats.BlockSums;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loss in double lanes of the JDK's incubating Vector API. Each lane computes exactly what
 * {@link PolynomialMath#evaluate} computes for one element, same constants, same fused
 * multiply-adds, same association, so the two are bit-identical (VectorKernelTest) and NaN and
 * infinities land where FocalMath puts them. exp and log1p are polynomials rather than the
 * Vector API's EXP and LOG1P (SVML calls that took most of the time, and whose results no scalar
 * code reproduces): the loss needs exp only on (-inf, 0] and log1p only on [0, 1], where short
 * branch-free polynomials stay within 1 resp. 2 double ulps of Math's, far below a float32 ulp.
 * It sums anchors in lanes too ({@link AnchorSums}); {@link VectorTransposer} is its
 * transposition. Only {@link dev.focal.loss.Kernels} refers to these classes, and only when the
 * module is present, so the scalar path never loads them.
 *
 * <p>Shaped by measurements on C2 (JDK 17). A block takes three loops, exp, log1p and the rest,
 * passing e and log1p(e) through the output arrays (which therefore must not alias the inputs):
 * fused into one loop, the expanded vector operations exceed C2's node budget for inlining
 * (NodeCountInliningCutoff), and a helper it leaves as a call gets its vectors boxed, slower than
 * SVML; methods that take arrays are safe to leave as calls. Lane constants are broadcast in each
 * method (or passed as scalars, which C2 hoists): static final vectors measured slower.
 */
public final class VectorKernel implements LossMath, AnchorSums {
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;
    /** The lanes of the summary's sums, whose order BlockSums fixes at four whatever the hardware. */
    private static final VectorSpecies<Double> SUM_LANES = DoubleVector.SPECIES_256;
    @Override
    public String toString() {
        return "vector (" + LANES.length() + " x double)";
    }

    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        int bound = LANES.loopBound(n);
        expNegAbs(x, bound, focal);
        log1p(focal, bound, loss);
        DoubleVector zero = DoubleVector.zero(LANES);
        DoubleVector one = DoubleVector.broadcast(LANES, 1);
        DoubleVector positiveWeight = DoubleVector.broadcast(LANES, alpha);
        DoubleVector negativeWeight = DoubleVector.broadcast(LANES, 1 - alpha);
        for (int i = 0; i < bound; i += LANES.length()) {
            DoubleVector vx = DoubleVector.fromArray(LANES, x, i);
            DoubleVector vt = DoubleVector.fromArray(LANES, t, i);
            DoubleVector e = DoubleVector.fromArray(LANES, focal, i);
            DoubleVector oneMinusT = one.sub(vt);
            VectorMask<Double> nonNegative = vx.compare(VectorOperators.GE, zero);
            // FocalMath.q over the common denominator 1 + e; its numerators and alphaWeight below are
            // fused, one rounding fewer (none for hard targets, where every product is exact).
            DoubleVector q = oneMinusT.fma(e, vt).blend(vt.fma(e, oneMinusT), nonNegative).div(e.add(one));
            // FocalMath.power, whose Math.pow is exact for gamma 1 and 0.
            DoubleVector qg = gamma == 2 ? q.mul(q)
                    : gamma == 1 ? q
                    : gamma == 0 ? one
                    : power(q, gamma, focal, i);
            // max(x, 0) from the mask at hand: a NaN x gives 0 rather than NaN, but its log1p(e) is
            // NaN; -0 rather than 0 vanishes when log1p(1) is added.
            DoubleVector bce = zero.blend(vx, nonNegative).sub(vx.mul(vt)).add(DoubleVector.fromArray(LANES, loss, i));
            DoubleVector a = vt.fma(positiveWeight, oneMinusT.mul(negativeWeight));
            a.mul(qg).mul(bce).mul(DoubleVector.fromArray(LANES, w, i)).intoArray(loss, i);
            qg.intoArray(focal, i);
        }
        PolynomialMath.evaluate(x, t, w, bound, n, gamma, alpha, loss, focal);
    }

    /**
     * {@link BlockSums#prepare} and {@link BlockSums#addAnchors} in the four lanes of a vector: the
     * same additions in the same order, so the same bits, with each anchor's classes reduced in
     * the lanes rather than through prepare's arrays. An anchor with a NaN target (whose kind
     * needs a look at each of its targets) sends the whole run to BlockSums instead.
     */
    @Override
    public void sum(BlockSums sums, AnchorBlock block, int from, int to) {
        double[] loss = block.loss;
        double[] focal = block.focal;
        double[] t = block.t;
        double[] w = block.w;
        int classes = block.classes();
        int anchors = block.anchors();
        boolean weightsPerAnchor = block.weightsPerAnchor();
        int bound = from + (to - from & -SUM_LANES.length());
        DoubleVector zero = DoubleVector.zero(SUM_LANES);
        DoubleVector one = DoubleVector.broadcast(SUM_LANES, 1);
        DoubleVector positiveLoss = zero;
        DoubleVector positiveFocal = zero;
        DoubleVector negativeLoss = zero;
        DoubleVector negativeFocal = zero;
        DoubleVector ignoredLoss = zero;
        DoubleVector ignoredFocal = zero;
        DoubleVector ignoreds = zero;
        DoubleVector nanTargets = zero;
        long positives = 0;
        for (int j = from; j < bound; j += SUM_LANES.length()) {
            // Class 0's run starts at 0, so its index is the anchor's.
            DoubleVector l = DoubleVector.fromArray(SUM_LANES, loss, j);
            DoubleVector f = DoubleVector.fromArray(SUM_LANES, focal, j);
            DoubleVector tc = DoubleVector.fromArray(SUM_LANES, t, j);
            DoubleVector target = tc.abs().add(tc);
            VectorMask<Double> ignored = DoubleVector.fromArray(SUM_LANES, w, j).compare(VectorOperators.EQ, 0);
            for (int off = anchors, c = 1; c < classes; c++, off += anchors) {
                l = l.add(DoubleVector.fromArray(SUM_LANES, loss, off + j));
                f = f.add(DoubleVector.fromArray(SUM_LANES, focal, off + j));
                tc = DoubleVector.fromArray(SUM_LANES, t, off + j);
                target = target.add(tc.abs().add(tc));
                if (!weightsPerAnchor) {
                    // All weights 0 is what prepare's sum of their magnitudes being 0 says.
                    ignored = ignored.and(DoubleVector.fromArray(SUM_LANES, w, off + j).compare(VectorOperators.EQ, 0));
                }
            }
            VectorMask<Double> positive = target.compare(VectorOperators.GT, 0);
            // Adding 0 leaves a lane's sum as it is: it starts at +0, so it is never -0.
            positiveLoss = positiveLoss.add(zero.blend(l, positive).blend(zero, ignored));
            positiveFocal = positiveFocal.add(zero.blend(f, positive).blend(zero, ignored));
            negativeLoss = negativeLoss.add(l.blend(zero, positive).blend(zero, ignored));
            negativeFocal = negativeFocal.add(f.blend(zero, positive).blend(zero, ignored));
            ignoredLoss = ignoredLoss.add(zero.blend(l, ignored));
            ignoredFocal = ignoredFocal.add(zero.blend(f, ignored));
            ignoreds = ignoreds.add(zero.blend(one, ignored));
            // 0 for a finite target, NaN for a NaN (or an infinite one, which only costs the look).
            nanTargets = nanTargets.add(target.mul(zero));
            // Positive anchors are ~1%: counting them by class lane by lane is cheaper than in lanes.
            VectorMask<Double> counted = positive.andNot(ignored);
            if (counted.anyTrue()) {
                for (int lane = 0; lane < SUM_LANES.length(); lane++) {
                    if (counted.laneIsSet(lane)) {
                        sums.countPositive(block, j + lane);
                        positives++;
                    }
                }
            }
        }
        double[] lanesOfLoss = new double[BlockSums.LANES];
        double[] lanesOfFocal = new double[BlockSums.LANES];
        double[] lanesOfNan = new double[BlockSums.LANES];
        nanTargets.intoArray(lanesOfNan, 0);
        for (double lane : lanesOfNan) {
            if (lane != lane) {
                sums.clear();
                AnchorSums.SCALAR.sum(sums, block, from, to);
                return;
            }
        }
        positiveLoss.intoArray(lanesOfLoss, 0);
        positiveFocal.intoArray(lanesOfFocal, 0);
        sums.addLanes(AnchorKind.POSITIVE, lanesOfLoss, lanesOfFocal, 0);
        long ignoredCount = (long) ignoreds.reduceLanes(VectorOperators.ADD);
        negativeLoss.intoArray(lanesOfLoss, 0);
        negativeFocal.intoArray(lanesOfFocal, 0);
        sums.addLanes(AnchorKind.NEGATIVE, lanesOfLoss, lanesOfFocal, bound - from - positives - ignoredCount);
        ignoredLoss.intoArray(lanesOfLoss, 0);
        ignoredFocal.intoArray(lanesOfFocal, 0);
        sums.addLanes(AnchorKind.IGNORED, lanesOfLoss, lanesOfFocal, ignoredCount);
        if (bound < to) {
            sums.prepare(block, bound, to);
            sums.addAnchors(block, bound, to, from);
        }
    }

    /**
     * q^gamma for the unusual gammas with FocalMath.power, lane by lane through {@code scratch} at
     * {@code i}: the Vector API's POW rounds differently, and the scalar twin must give the same bits.
     */
    private static DoubleVector power(DoubleVector q, double gamma, double[] scratch, int i) {
        q.intoArray(scratch, i);
        for (int lane = 0; lane < LANES.length(); lane++) {
            scratch[i + lane] = FocalMath.power(scratch[i + lane], gamma);
        }
        return DoubleVector.fromArray(LANES, scratch, i);
    }

    /**
     * e[i] = exp(-|x[i]|) for i below n, a multiple of the lane count: within 1 ulp including the
     * subnormal results, 0 at x = +-inf, NaN for NaN. exp(y) = 2^k exp(r) with k = round(y / ln 2)
     * and |r| <= ln2 / 2, r correct to half an ulp thanks to the split ln 2; the Taylor polynomial
     * of degree 13 is within 1e-17 relative on that interval.
     */
    static void expNegAbs(double[] x, int n, double[] e) {
        DoubleVector cutoff = DoubleVector.broadcast(LANES, EXP_CUTOFF);
        DoubleVector rounder = DoubleVector.broadcast(LANES, ROUNDER);
        DoubleVector minusLn2Hi = DoubleVector.broadcast(LANES, -LN2_HI);
        DoubleVector minusLn2Lo = DoubleVector.broadcast(LANES, -LN2_LO);
        DoubleVector one = DoubleVector.broadcast(LANES, 1);
        DoubleVector c2 = DoubleVector.broadcast(LANES, E2);
        DoubleVector c3 = DoubleVector.broadcast(LANES, E3);
        DoubleVector c4 = DoubleVector.broadcast(LANES, E4);
        DoubleVector c5 = DoubleVector.broadcast(LANES, E5);
        DoubleVector c6 = DoubleVector.broadcast(LANES, E6);
        DoubleVector c7 = DoubleVector.broadcast(LANES, E7);
        DoubleVector c8 = DoubleVector.broadcast(LANES, E8);
        DoubleVector c9 = DoubleVector.broadcast(LANES, E9);
        for (int i = 0; i < n; i += LANES.length()) {
            DoubleVector a = DoubleVector.fromArray(LANES, x, i).abs();
            // Compare-and-blend rather than min: a NaN stays NaN either way, but min's Java
            // semantics take a longer instruction sequence on AVX2.
            DoubleVector y = a.blend(cutoff, a.compare(VectorOperators.GT, cutoff)).neg();
            DoubleVector shifted = y.fma(LOG2_E, ROUNDER);
            DoubleVector k = shifted.sub(rounder);
            DoubleVector r = k.fma(minusLn2Lo, k.fma(minusLn2Hi, y));
            // Even and odd powers as two independent chains: half the dependency depth of Horner's
            // single chain, with the same number of operations.
            DoubleVector r2 = r.mul(r);
            DoubleVector even = r2.fma(E12, E10).fma(r2, c8).fma(r2, c6).fma(r2, c4)
                    .fma(r2, c2);
            DoubleVector odd = r2.fma(E13, E11).fma(r2, c9).fma(r2, c7).fma(r2, c5)
                    .fma(r2, c3);
            DoubleVector expR = odd.fma(r, even).fma(r2, r).add(one);
            // The sum's low 12 bits are k (two's complement), and the shift drops all bits above.
            LongVector scale = shifted.reinterpretAsLongs().add(1023 + SCALE_SPLIT).lanewise(VectorOperators.LSHL, 52);
            // For a subnormal result the first product is exact (normal) and the second rounds once.
            expR.mul(scale.reinterpretAsDoubles()).mul(TWO_TO_MINUS_SPLIT).intoArray(e, i);
        }
    }

    /**
     * out[i] = log1p(e[i]) for e in [0, 1] or NaN, i below n, a multiple of the lane count.
     * log1p(e) = 2 atanh(w / 2) with w = 2e / (2 + e) in [0, 2/3]: w + w^3 P(w^2), where the
     * polynomial part is at most 4% of w, so the result keeps w's accuracy (two roundings). Doubling
     * e first keeps tiny and subnormal e exact: 2 + e rounds to 2 and w to e.
     */
    static void log1p(double[] e, int n, double[] out) {
        DoubleVector two = DoubleVector.broadcast(LANES, 2);
        DoubleVector p0 = DoubleVector.broadcast(LANES, P0);
        DoubleVector p1 = DoubleVector.broadcast(LANES, P1);
        DoubleVector p2 = DoubleVector.broadcast(LANES, P2);
        DoubleVector p3 = DoubleVector.broadcast(LANES, P3);
        DoubleVector p4 = DoubleVector.broadcast(LANES, P4);
        DoubleVector p5 = DoubleVector.broadcast(LANES, P5);
        for (int i = 0; i < n; i += LANES.length()) {
            DoubleVector ve = DoubleVector.fromArray(LANES, e, i);
            DoubleVector w = ve.add(ve).div(ve.add(two));
            DoubleVector z = w.mul(w);
            DoubleVector z2 = z.mul(z);
            DoubleVector p = z2.fma(P9, P7).fma(z2, p5).fma(z2, p3).fma(z2, p1)
                    .fma(z, z2.fma(P8, P6).fma(z2, p4).fma(z2, p2).fma(z2, p0));
            w.mul(z).fma(p, w).intoArray(out, i);
        }
    }
}
