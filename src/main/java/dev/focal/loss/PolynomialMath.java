package dev.focal.loss;

/**
 * The loss with exp and log1p as short polynomials, operation for operation what
 * {@code dev.focal.loss.vector.VectorKernel} does in each of its lanes: the same constants, the
 * same fused multiply-adds, the same association, the same passes (exp, log1p, the rest; the exp
 * here in two loops, see {@link #expNegAbs}). Java's arithmetic is
 * exactly IEEE, so the two give bit-identical results, and an evaluation may hand any block to
 * either kernel (the vector one once the JIT has compiled it) without its output or sums
 * depending on which did what. The exp is within 1 double ulp of Math.exp down to the
 * subnormals, the log1p within 2 of Math.log1p (VectorKernelTest); both are far inside a
 * float32 ulp (KernelTest).
 */
public final class PolynomialMath {
    /** exp(-746) rounds to 0, and beyond it the exponent arithmetic of expNegAbs would wrap. */
    public static final double EXP_CUTOFF = 746;
    public static final double LOG2_E = 1 / Math.log(2);
    /** Adding it rounds to an integer and leaves that integer in the low bits of the sum. */
    public static final double ROUNDER = 0x1.8p52;
    /** fdlibm's split of ln 2: LN2_HI has 21 trailing zero bits, so n * LN2_HI is exact. */
    public static final double LN2_HI = 0x1.62e42feep-1;
    public static final double LN2_LO = 0x1.a39ef35793c76p-33;
    /** Scaling by 2^(n + 64) and then 2^-64 keeps both factors normal down to n = -1086. */
    public static final int SCALE_SPLIT = 64;
    public static final double TWO_TO_MINUS_SPLIT = Math.scalb(1.0, -SCALE_SPLIT);
    /** Taylor coefficients 1/k! of exp, k = 2..13. */
    public static final double E2 = 1.0 / 2;
    public static final double E3 = 1.0 / 6;
    public static final double E4 = 1.0 / 24;
    public static final double E5 = 1.0 / 120;
    public static final double E6 = 1.0 / 720;
    public static final double E7 = 1.0 / 5040;
    public static final double E8 = 1.0 / 40320;
    public static final double E9 = 1.0 / 362880;
    public static final double E10 = 1.0 / 3628800;
    public static final double E11 = 1.0 / 39916800;
    public static final double E12 = 1.0 / 479001600;
    public static final double E13 = 1.0 / 6227020800L;

    // Near-minimax (Chebyshev) fit of (2 atanh(w/2) / w - 1) / w^2 in z = w^2 on [0, 4/9], within
    // 1.7e-17 with the coefficients rounded to double (mpmath's chebyfit, 10 terms).
    public static final double P0 = 0.08333333333333333;
    public static final double P1 = 0.012500000000004558;
    public static final double P2 = 0.0022321428568053718;
    public static final double P3 = 0.00043402778744976297;
    public static final double P4 = 8.877826873111747e-05;
    public static final double P5 = 1.8781213458201444e-05;
    public static final double P6 = 4.063154360856609e-06;
    public static final double P7 = 9.156091926262446e-07;
    public static final double P8 = 1.6786076519288395e-07;
    public static final double P9 = 7.707617574664846e-08;

    private PolynomialMath() {
    }

    /**
     * e[i] = exp(-|x[i]|) for i in from..to-1: within 1 ulp including the subnormal results, 0 at
     * x = +-inf, NaN for NaN. exp(y) = 2^k exp(r) with k = round(y / ln 2) and |r| <= ln2 / 2, r
     * correct to half an ulp thanks to the split ln 2; the Taylor polynomial of degree 13 is within
     * 1e-17 relative there. A loop over arrays rather than a function of one element: the JIT's
     * quick compiler, which runs short evaluations, would not inline a function this long.
     *
     * <p>Two loops, the arithmetic and then the scaling by 2^k, which goes through the bits of
     * {@code shifted} (kept in {@code scratch}): with the bit casts or the cut-off in it, C2 leaves
     * a loop scalar, without them it vectorises the first loop, which runs faster (BENCHMARKS.md).
     * The cut-off is applied in the second loop, after the fact: past it the first loop's figures
     * are garbage (the exponent wraps) and are replaced by 0, which is what the polynomial gives at
     * the cut-off itself, so the vector kernel, which clamps first, gets the same bits.
     */
    static void expNegAbs(double[] x, int from, int to, double[] e, double[] scratch) {
        for (int i = from; i < to; i++) {
            double y = -Math.abs(x[i]);
            double shifted = Math.fma(y, LOG2_E, ROUNDER);
            double k = shifted - ROUNDER;
            double r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, y));
            // Even and odd powers as two independent chains: half the latency of Horner's.
            double r2 = r * r;
            double even = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r2, E12, E10), r2, E8), r2, E6), r2, E4), r2, E2);
            double odd = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r2, E13, E11), r2, E9), r2, E7), r2, E5), r2, E3);
            e[i] = Math.fma(Math.fma(odd, r, even), r2, r) + 1;
            scratch[i] = shifted;
        }
        for (int i = from; i < to; i++) {
            // The sum's low 12 bits are k (two's complement), and the shift drops all bits above.
            long scale = (Double.doubleToRawLongBits(scratch[i]) + (1023 + SCALE_SPLIT)) << 52;
            // For a subnormal result the first product is exact (normal) and the second rounds once.
            e[i] = Math.abs(x[i]) > EXP_CUTOFF ? 0 : e[i] * Double.longBitsToDouble(scale) * TWO_TO_MINUS_SPLIT;
        }
    }

    /**
     * out[i] = log1p(e[i]) for i in from..to-1, e in [0, 1] or NaN. log1p(e) = 2 atanh(w / 2) with
     * w = 2e / (2 + e) in [0, 2/3]: w + w^3 P(w^2), where the polynomial part is at most 4% of w,
     * so the result keeps w's accuracy. Doubling e first keeps tiny and subnormal e exact: 2 + e
     * rounds to 2 and w to e.
     */
    static void log1p(double[] e, int from, int to, double[] out) {
        for (int i = from; i < to; i++) {
            double w = (e[i] + e[i]) / (e[i] + 2);
            double z = w * w;
            double z2 = z * z;
            double odd = Math.fma(Math.fma(Math.fma(Math.fma(z2, P9, P7), z2, P5), z2, P3), z2, P1);
            double even = Math.fma(Math.fma(Math.fma(Math.fma(z2, P8, P6), z2, P4), z2, P2), z2, P0);
            out[i] = Math.fma(w * z, Math.fma(odd, z, even), w);
        }
    }

    /**
     * The loss and focal factor q^gamma of elements {@code from..to-1}: FocalMath's formula and
     * association, with these polynomials and with q's numerators and the alpha weight as fused
     * multiply-adds (one rounding fewer than FocalMath for soft targets).
     */
    public static void evaluate(double[] x, double[] t, double[] w, int from, int to, double gamma, double alpha,
                                double[] loss, double[] focal) {
        // Three passes, as the vector kernel makes them: e and log1p(e) go through the outputs.
        expNegAbs(x, from, to, focal, loss);
        log1p(focal, from, to, loss);
        double negativeWeight = 1 - alpha;
        for (int i = from; i < to; i++) {
            double xi = x[i];
            double ti = t[i];
            double e = focal[i];
            double oneMinusT = 1 - ti;
            boolean nonNegative = xi >= 0;
            // FocalMath.q: over the common denominator 1 + e.
            double q = (nonNegative ? Math.fma(ti, e, oneMinusT) : Math.fma(oneMinusT, e, ti)) / (e + 1);
            double qg = FocalMath.power(q, gamma);
            // max(x, 0) from the sign test: a NaN x gives 0 rather than NaN, but its log1p(e) is NaN.
            double bce = ((nonNegative ? xi : 0) - xi * ti) + loss[i];
            double a = Math.fma(ti, alpha, oneMinusT * negativeWeight);
            loss[i] = a * qg * bce * w[i];
            focal[i] = qg;
        }
    }
}
