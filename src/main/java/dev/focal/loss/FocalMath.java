package dev.focal.loss;

/**
 * Per-element sigmoid focal classification loss of OpenPCDet's {@code SigmoidFocalClassificationLoss}
 * (docs/semantics.md#per-element-loss) and its derivative in the logit (docs/semantics.md#gradient), in double.
 *
 * <p>The reference computes {@code 1 - sigmoid(x)} by subtraction, which in float32 rounds to 0 for
 * x above ~17 and so zeroes the loss of confident positives whose true value is tiny but not zero.
 * Here {@code p} and {@code 1 - p} are both formed directly from {@code e = exp(-|x|)}, so each keeps
 * its full relative precision. Non-finite logits still give NaN/inf exactly where PyTorch's literal
 * formula and autograd do: at {@code x = +-inf} e is 0 and p, 1 - p are exactly 0 and 1, the same
 * values PyTorch gets, and every other operation keeps the reference's IEEE shape (no clamping, no
 * early return), so {@code 0 * inf} and {@code inf - inf} arise in the same places.
 *
 * <p>Allocation-free and branch-light, meant to be called per element by fused kernels: one
 * {@code exp}, one {@code log1p} and one {@code pow} per call (the gradient needs a second
 * {@code pow} only for soft targets).
 */
public final class FocalMath {

    private FocalMath() {
    }

    /** The loss {@code a * q^gamma * bce * w} of one element. */
    public static double loss(double x, double t, double w, double gamma, double alpha) {
        double e = Math.exp(-Math.abs(x));
        return loss(x, t, w, alpha, e, power(q(x, t, e), gamma));
    }

    /**
     * The scalar kernel: loss and focal factor q^gamma of elements {@code from..to-1}, with one
     * exp, one log1p and one pow each.
     */
    public static void evaluate(double[] x, double[] t, double[] w, int from, int to, double gamma, double alpha,
                                double[] loss, double[] focal) {
        for (int i = from; i < to; i++) {
            double e = Math.exp(-Math.abs(x[i]));
            double qg = power(q(x[i], t[i], e), gamma);
            focal[i] = qg;
            loss[i] = loss(x[i], t[i], w[i], alpha, e, qg);
        }
    }

    private static double loss(double x, double t, double w, double alpha, double e, double qg) {
        // Same association as the reference ((a * q^gamma) * bce) * w, so overflow and 0*inf match.
        return alphaWeight(t, alpha) * qg * bce(x, t, e) * w;
    }

    /** The focal modulating factor {@code q^gamma} ({@code (1 - p_t)^gamma} of the paper). */
    public static double focalFactor(double x, double t, double gamma) {
        return power(q(x, t, Math.exp(-Math.abs(x))), gamma);
    }

    /**
     * q^gamma. Math.pow is a full transcendental call even for the usual gamma = 2; q * q is the
     * correctly rounded square, which is what Math.pow returns for an exponent of 2 (and it is
     * exact for 1 and 0). The polynomial kernels, scalar and vector, use it too.
     */
    public static double power(double q, double gamma) {
        return gamma == 2 ? q * q : Math.pow(q, gamma);
    }

    /**
     * {@code d loss / d x}, differentiating through the focal factor as the reference's autograd does
     * (the focal weight is not detached; at x = 0 autograd's subgradient, see below):
     * {@code a * w * (gamma * q^(gamma-1) * (1-2t) * p(1-p) * bce + q^gamma * (p - t))}.
     */
    public static double gradient(double x, double t, double w, double gamma, double alpha) {
        double e = Math.exp(-Math.abs(x));
        double d = 1 + e;
        double p = x >= 0 ? 1 / d : e / d;
        double pc = x >= 0 ? e / d : 1 / d;
        double q = q(x, t, e);
        double qg = power(q, gamma);
        double bce = bce(x, t, e);
        double viaFocal = 0;
        // PyTorch's pow backward returns 0 for exponent 0 without evaluating 0 * q^-1, which would be
        // 0 * inf (or 0 * NaN at x = +inf) when q is 0.
        if (gamma != 0) {
            // q^(gamma-1) * p(1-p). For hard targets q is p or 1-p, so cancel it exactly: otherwise a
            // q that underflows to 0 (x beyond ~745) would give inf * 0 = NaN for gamma < 1, where the
            // true gradient merely underflows. Soft targets keep q >= min(t, 1-t), far from 0.
            double slope = t == 0 ? qg * pc : t == 1 ? qg * p : Math.pow(q, gamma - 1) * p * pc;
            viaFocal = gamma * (1 - 2 * t) * bce * slope;
        }
        // d bce / dx = p - t, written so that t = 1 gives -(1-p) exactly instead of cancelling in
        // p - 1. At x = 0 (either sign) autograd takes clamp's slope as 1 and abs's as 0, so the
        // reference's training gradient there is 1 - t: return what training sees.
        double pMinusT = x == 0 ? 1 - t : (1 - t) * p - t * pc;
        return alphaWeight(t, alpha) * w * (viaFocal + qg * pMinusT);
    }

    /**
     * q = t*(1-p) + (1-t)*p over the common denominator 1 + e, which rounds once less than forming
     * p and 1-p first; q^gamma multiplies q's relative error by gamma. At x = +-inf (e = 0) it is
     * 1 - t resp. t, exactly the reference's value.
     */
    private static double q(double x, double t, double e) {
        return (x >= 0 ? t * e + (1 - t) : t + (1 - t) * e) / (1 + e);
    }

    /** Alpha on the positive side, 1 - alpha on the negative side, interpolated for soft targets. */
    private static double alphaWeight(double t, double alpha) {
        return t * alpha + (1 - t) * (1 - alpha);
    }

    /**
     * The stable logistic loss {@code max(x,0) - x*t + log1p(exp(-|x|))} with e = exp(-|x|) given.
     * Kept literal: at x = +inf it must be inf - inf (NaN) and at x = -inf, t = 0 it must be
     * -(-inf * 0) (NaN), as in the reference. For float32-representable x and t the product x*t is
     * exact in double, so the only cancellation is one correctly rounded subtraction.
     */
    private static double bce(double x, double t, double e) {
        return Math.max(x, 0) - x * t + log1p(e);
    }

    /**
     * log(1 + e) for e = exp(-|x|) in [0, 1]. Math.log1p is a native call on JDK 17 (several
     * times the cost of the rest of the loss), Math.log a JIT intrinsic. u = 1 + e rounds away
     * c = (u - 1) - e, which is exact; log(1 + e) = log(u - c) = log(u) - c / u to within
     * (c/u)^2 ~ 1e-32. So this stays within ~2 ulps of log1p even where 1 + e is 1 (it returns
     * e there), and is 0 at e = 0 and NaN for NaN like log1p.
     */
    static double log1p(double e) {
        double u = 1 + e;
        return Math.log(u) - ((u - 1) - e) / u;
    }
}
