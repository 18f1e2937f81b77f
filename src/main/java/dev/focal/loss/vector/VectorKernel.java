package dev.focal.loss.vector;

import dev.focal.loss.FocalMath;
import dev.focal.loss.LossKernel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loss in double lanes of the JDK's incubating Vector API, whose EXP, LOG1P and POW are
 * intrinsics (SVML) several times faster than Math's. The formula and its association are
 * FocalMath's, lane by lane, so NaN and infinities land where the scalar kernel puts them; the
 * transcendental functions differ from Math's by a few double ulps at most, far below a float32
 * ulp. Only {@link dev.focal.loss.Kernels} refers to this class, and only when the module is
 * present, so the scalar path never loads it.
 */
public final class VectorKernel implements LossKernel {
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;

    @Override
    public String name() {
        return "vector (" + LANES.length() + " x double)";
    }

    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        int bound = LANES.loopBound(n);
        DoubleVector zero = DoubleVector.zero(LANES);
        for (int i = 0; i < bound; i += LANES.length()) {
            DoubleVector vx = DoubleVector.fromArray(LANES, x, i);
            DoubleVector vt = DoubleVector.fromArray(LANES, t, i);
            DoubleVector vw = DoubleVector.fromArray(LANES, w, i);
            DoubleVector e = vx.abs().neg().lanewise(VectorOperators.EXP);
            DoubleVector oneMinusT = vt.neg().add(1.0);
            // q over the common denominator 1 + e, as FocalMath.q.
            DoubleVector forPositiveX = vt.mul(e).add(oneMinusT);
            DoubleVector forNegativeX = vt.add(oneMinusT.mul(e));
            VectorMask<Double> nonNegative = vx.compare(VectorOperators.GE, 0.0);
            DoubleVector q = forNegativeX.blend(forPositiveX, nonNegative).div(e.add(1.0));
            DoubleVector qg = power(q, gamma);
            DoubleVector bce = vx.max(zero).sub(vx.mul(vt)).add(e.lanewise(VectorOperators.LOG1P));
            DoubleVector a = vt.mul(alpha).add(oneMinusT.mul(1 - alpha));
            a.mul(qg).mul(bce).mul(vw).intoArray(loss, i);
            qg.intoArray(focal, i);
        }
        FocalMath.evaluate(x, t, w, bound, n, gamma, alpha, loss, focal);
    }

    /** q^gamma as Math.pow gives it: exact products for the common small integer gammas. */
    private static DoubleVector power(DoubleVector q, double gamma) {
        if (gamma == 2) {
            return q.mul(q);
        }
        if (gamma == 1) {
            return q;
        }
        if (gamma == 0) {
            return DoubleVector.broadcast(LANES, 1.0);
        }
        return q.lanewise(VectorOperators.POW, gamma);
    }
}
