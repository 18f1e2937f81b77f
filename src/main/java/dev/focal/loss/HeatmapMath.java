package dev.focal.loss;

/**
 * The heatmap focal losses of CenterPoint-style heads (docs/semantics.md#heatmap-losses), per
 * element, in double: CornerNet's modified focal loss as OpenPCDet's {@code neg_loss_cornernet}
 * and {@code neg_loss_sparse} compute it ({@link #centerNet}), and mmdet's
 * {@code GaussianFocalLoss} as TransFusion applies it ({@link #gaussian}). Both first clamp the
 * sigmoid to [1e-4, 1 - 1e-4]; the bounds, and the Gaussian loss's 1e-12, are the values the
 * reference compares with and adds in the inputs' dtype (float32 for float32 logits), so an
 * element at the edge of the clamp falls on the reference's side.
 *
 * <p>Element loss, with p the clamped sigmoid, a = alpha (2), g = gamma (4):
 * {@code -[t == 1] log(p + eps) (1-p)^a - log(1 - p + eps) p^a (1-t)^g m}, where m is
 * {@code [t < 1]} for CenterNet and 1 for the Gaussian loss, and eps is 0 for CenterNet. A NaN
 * target or logit gives NaN where the reference's masked products do (NaN * 0 is NaN).
 */
public final class HeatmapMath implements LossMath {
    private final boolean centerNet;
    private final double low;
    private final double high;
    private final double eps;
    /** The logs of the bounds and of their complements: a clamped element's. */
    private final double logLow;
    private final double logOneMinusLow;
    private final double logHigh;
    private final double logOneMinusHigh;

    private HeatmapMath(boolean centerNet, boolean float32, double eps) {
        this.centerNet = centerNet;
        // Python's 1 - 1e-4, then cast to the tensor's dtype by clamp.
        this.low = float32 ? (float) 1e-4 : 1e-4;
        this.high = float32 ? (float) (1 - 1e-4) : 1 - 1e-4;
        this.eps = float32 ? (float) eps : eps;
        logLow = Math.log(low);
        logOneMinusLow = Math.log1p(-low);
        logHigh = Math.log(high);
        logOneMinusHigh = Math.log1p(-high);
    }

    /** CornerNet's loss (FocalLossCenterNet, FocalLossSparse), with the clamp bounds of float32 or float64 logits. */
    public static HeatmapMath centerNet(boolean float32) {
        return new HeatmapMath(true, float32, 0);
    }

    /** TransFusion's GaussianFocalLoss after clip_sigmoid. */
    public static HeatmapMath gaussian(boolean float32) {
        return new HeatmapMath(false, float32, 1e-12);
    }

    /** The lower clamp bound, as the reference compares with it. */
    public double low() {
        return low;
    }

    /** The upper clamp bound, as the reference compares with it. */
    public double high() {
        return high;
    }

    /**
     * The loss and the modulating factor ((1-p)^a on a peak, p^a (1-t)^g m elsewhere) of elements
     * 0..n-1; the weights are not read (these losses take none).
     */
    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        // The sigmoid focal loss's polynomial passes: e = exp(-|x|) into focal, log1p(e) into loss.
        PolynomialMath.expNegAbs(x, 0, n, focal, loss);
        PolynomialMath.log1p(focal, 0, n, loss);
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double e = focal[i];
            double log1pE = loss[i];
            double d = 1 + e;
            double r = 1 / d;
            boolean nonNegative = xi >= 0;
            // sigmoid(x), and the logs of it and of 1 - sigmoid(x) from the one log1p(e).
            double p = nonNegative ? r : e * r;
            double logP = nonNegative ? -log1pE : xi - log1pE;
            double logPc = nonNegative ? -xi - log1pE : -log1pE;
            // eps / p and eps / pc, as multiplications where 1 / p or 1 / pc is d.
            double epsOverP = nonNegative ? eps * d : eps * d / e;
            double epsOverPc = nonNegative ? eps * d / e : eps * d;
            // The clamp; a NaN p fails both tests and stays NaN.
            if (p < low) {
                p = low;
                logP = logLow;
                logPc = logOneMinusLow;
                epsOverP = eps / low;
                epsOverPc = eps / (1 - low);
            } else if (p > high) {
                p = high;
                logP = logHigh;
                logPc = logOneMinusHigh;
                epsOverP = eps / high;
                epsOverPc = eps / (1 - high);
            }
            double negWeight = negativeWeight(t[i], gamma);
            // A term whose mask is 0 is 0 unless p is NaN, and then the other term is NaN too (a
            // peak's negative weight is 0, and so is a non-peak's positive mask).
            double l = 0;
            double factor = 0;
            if (t[i] == 1) {
                factor = power(1 - p, alpha);
                // log(p + eps) = log(p) + eps / p to within (eps / p)^2 / 2 <= 5e-17, as p >= 1e-4.
                l = -((logP + epsOverP) * factor);
            }
            if (negWeight != 0) {
                double neg = power(p, alpha) * negWeight;
                factor += neg;
                l -= (logPc + epsOverPc) * neg;
            }
            loss[i] = l;
            focal[i] = factor;
        }
    }

    /**
     * d loss / d x through the clamp: 0 where the sigmoid lies outside the bounds (as autograd's
     * clamp backward), NaN for a NaN logit (autograd's sigmoid backward multiplies 0 by NaN), else
     * d loss / d p times p (1 - p).
     */
    public double gradient(double x, double t, double gamma, double alpha) {
        double s = sigmoid(x);
        if (s != s) {
            return s;
        }
        if (s < low || s > high) {
            return 0;
        }
        double pc = sigmoidComplement(x);
        double peak = t == 1 ? 1 : 0;
        double negWeight = negativeWeight(t, gamma);
        // d/dp [-log(p + eps) (1-p)^a] * p(1-p) and d/dp [-log(1-p+eps) p^a] * p(1-p), with the powers of
        // p and 1 - p folded in, so that no term divides by a p or 1 - p near 0.
        double viaPeak = alpha * power(pc, alpha) * s * Math.log(s + eps) - power(pc, alpha) * pc * (s / (s + eps));
        double viaNegative = power(s, alpha) * s * (pc / (pc + eps)) - alpha * power(s, alpha) * pc * Math.log(pc + eps);
        return viaPeak * peak + viaNegative * negWeight;
    }

    /** (1 - t)^gamma, masked to t < 1 for CenterNet (whose mask multiplies, so NaN stays NaN). */
    private double negativeWeight(double t, double gamma) {
        double w = power(1 - t, gamma);
        return centerNet ? w * (t < 1 ? 1 : 0) : w;
    }

    /**
     * q^g: the default exponents 2 and 4 as products (Math.pow is a full transcendental call; the
     * fourth power's two roundings stay far below float32's ulp), else Math.pow.
     */
    private static double power(double q, double g) {
        if (g == 4) {
            double q2 = q * q;
            return q2 * q2;
        }
        return FocalMath.power(q, g);
    }

    private static double sigmoid(double x) {
        double e = Math.exp(-Math.abs(x));
        return x >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    /** 1 - sigmoid(x), formed directly. */
    private static double sigmoidComplement(double x) {
        return sigmoid(-x);
    }
}
