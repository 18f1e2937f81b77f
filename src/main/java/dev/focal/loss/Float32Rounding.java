package dev.focal.loss;

/**
 * Rounds the kernels' double losses to float32 so that each is the correctly rounded value of
 * the exact loss (docs/accuracy.md). A double result within the kernels' proven error bound of a
 * float32 midpoint (the point between two neighbouring floats, where the cast's choice depends on
 * bits the double does not hold) is decided again from the element's inputs: by the closed form
 * of a hard target at a large |x|, where the exact loss differs from a product of the inputs by
 * less than double precision, and otherwise by {@link ExactLoss}. Every other element keeps the
 * cast, which the bound proves right. The look costs two products and two casts per element,
 * in the cast's loop ({@link #toRows}).
 */
final class Float32Rounding {
    /** exp(-|x|) at most this for the closed form: |x| >= 20.8. */
    private static final double CLOSED_FORM_EXP = 0x1p-30;
    /** Double's unit roundoff, 2^-53, and a margin for the double arithmetic of the closed form. */
    private static final double U = 0x1p-53;
    private static final double SAFE = 1 + 0x1p-40;

    private Float32Rounding() {
    }

    /**
     * The distance, in double ulps of the result, within which a float32 midpoint may lie between
     * a kernel's double loss and the exact one, for this gamma (docs/accuracy.md#error-bounds): more
     * than twice the larger of the kernels' bounds, 22 + 8|gamma| and 18 + 8.5|gamma| units of
     * 2^-53, plus 2. A gamma so large that it would reach the midpoints' own spacing looks at every
     * element.
     */
    static long slackUlps(double gamma) {
        double bound = 2 * (23 + 10 * Math.abs(gamma)) + 2;
        return bound < 1 << 27 ? (long) Math.ceil(bound) : 1L << 28;
    }

    /**
     * {@code Transposer.toRows} for a block's losses, with correct rounding: the {@code rows *
     * classes} losses held class by class ({@code loss[c * rows + r]}) go to {@code dst} by rows,
     * rounded to float32 (every NaN as np.nan), and the few whose cast may round the exact value
     * the wrong way are decided again. {@code x}, {@code t}, {@code w} are the block's inputs in
     * the losses' layout, {@code scale} the loss weight that the losses carry beyond the kernel's.
     * The common path is the cast's loop and, per element, two products, two casts and two integer
     * operations (BENCHMARKS.md).
     */
    static void toRows(double[] loss, double[] x, double[] t, double[] w, int rows, int classes, double gamma,
                       double alpha, double scale, long slack, float[] dst) {
        double above = 1 + margin(slack);
        double below = 1 - margin(slack);
        // The cast's loop notes whether any element needs a second look, without a branch: a
        // branch taken at random (a zero weight's 0 loss) cost the pass 10-19% (BENCHMARKS.md).
        // The test is floating-point, as the cast is: the cast of d (1 +- k) differs at its two
        // ends when a float32 midpoint lies between them, which covers every element that
        // uncertain() takes, in every range (see below); the same test on d's bits took three
        // times as long, integer operations the loop does not otherwise make. A NaN fails the
        // comparison too, so the second look writes np.nan, and this loop does not test for it.
        boolean look = false;
        for (int c = 0, i = 0; c < classes; c++) {
            for (int r = 0, o = c; r < rows; r++, i++, o += classes) {
                double d = loss[i];
                dst[o] = (float) d;
                look |= ends(d, above, below);
            }
        }
        if (look) {
            lookAgain(loss, x, t, w, rows, classes, gamma, alpha, scale, slack, dst);
        }
    }

    /** The relative distance of the ends of {@link #ends} from d: (slack + 3) double ulps of 1. */
    static double margin(long slack) {
        return (slack + 3) * 0x1p-52;
    }

    /**
     * Whether the float32 casts of d (1 + k) and d (1 - k) differ, {@code above} and {@code below}
     * being 1 + k and 1 - k: when a float32 midpoint lies between them, or d is NaN.
     */
    static boolean ends(double d, double above, double below) {
        return (float) (d * above) != (float) (d * below);
    }

    /**
     * The second look, at every element of a block where some element may need it: NaN becomes
     * np.nan, and those that {@link #uncertain} takes are decided from their inputs. A method of
     * its own, which the cast's loop calls rarely.
     * <p>
     * Why the cast's loop misses none: if a midpoint M lies within the slack, {@code s} double
     * ulps, of d (in float32's normal range, ulp(d) <= |d| 2^-52), then d (1 + k) with k =
     * {@link #margin}, (s + 3) 2^-52, is at least (s + 3) ulp(d) beyond d, and its rounding to
     * double moves it back by at most ulp(d) (its ulp is at most twice d's); likewise d (1 - k) on
     * the other side. So M lies strictly between the two products, and as the cast is monotone
     * they round to the floats on either side of M. In float32's subnormal range uncertain()
     * compares the distance to M with |d| (s + 1) 2^-52, and the same argument holds. An infinity
     * keeps its cast, so its casts may agree. CorrectRoundingTest checks this at every distance.
     */
    private static void lookAgain(double[] loss, double[] x, double[] t, double[] w, int rows, int classes,
                                  double gamma, double alpha, double scale, long slack, float[] dst) {
        double above = 1 + margin(slack);
        double below = 1 - margin(slack);
        for (int c = 0, i = 0; c < classes; c++) {
            for (int r = 0, o = c; r < rows; r++, i++, o += classes) {
                double d = loss[i];
                if (d != d) {
                    dst[o] = Float.NaN;
                } else if (ends(d, above, below) && uncertain(d, slack)) {
                    dst[o] = round(d, x[i], t[i], w[i], gamma, alpha, scale);
                }
            }
        }
    }

    /**
     * Whether a float32 midpoint lies within {@code slack} double ulps of d, so that the cast of
     * d may round the exact value the wrong way.
     */
    static boolean uncertain(double d, long slack) {
        long bits = Double.doubleToRawLongBits(d);
        int exponent = (int) (bits >>> 52) & 0x7ff;
        // A float32 midpoint of a normal binade has the low 29 of the 52 fraction bits 1000...0.
        boolean near = Math.abs((bits & 0x1fffffffL) - 0x10000000L) <= slack;
        boolean normal = exponent >= 1023 - 126 && exponent <= 1023 + 127;
        return normal ? near : outsideNormalRange(d, slack);
    }

    /**
     * Outside float32's normal range: a midpoint within the slack of a subnormal-range result.
     * Zero, non-finite and float32-overflowing results keep the cast: 0 is exact or an underflow
     * far below the smallest float32, and beyond 2^128 the exact value is beyond the last midpoint.
     */
    private static boolean outsideNormalRange(double d, long slack) {
        double a = Math.abs(d);
        if (a == 0 || !(a < 0x1p-126)) {
            return false;
        }
        return midpointGap(a) <= a * (slack + 1) * 0x1p-52;
    }

    /** The correctly rounded float32 of the element's exact loss, whose kernel gave {@code d}. */
    static float round(double d, double x, double t, double w, double gamma, double alpha, double scale) {
        float closed = closedForm(x, t, w, gamma, alpha, scale);
        if (closed == closed) {
            return closed;
        }
        float exact = ExactLoss.rounded(x, t, w, gamma, alpha, scale);
        return exact == exact ? exact : (float) d;
    }

    /**
     * A hard target on its large side (t = 0 at x > 0, t = 1 at x < 0) with E = exp(-|x|) below
     * 2^-30 (docs/accuracy.md#the-closed-form): the exact loss is P (1 + rho), P = a |x| w scale,
     * log(1 + rho) = log1p(log1p(E) / |x|) - gamma log1p(E), of the sign of c = 1/|x| - gamma
     * unless c is within E of 0, and |rho| < E (|c| + gamma + 1). When P is a double, as it is for float32
     * inputs and an alpha of few bits, this decides the rounding: at a midpoint P by rho's sign,
     * elsewhere by P's own rounding if |rho P| is below P's distance to the nearest midpoint.
     * NaN when it does not apply or cannot decide.
     */
    static float closedForm(double x, double t, double w, double gamma, double alpha, double scale) {
        boolean largeSide = t == 0 ? x > 0 : t == 1 && x < 0;
        if (!largeSide || !(gamma >= 0) || Double.isInfinite(gamma) || Double.isInfinite(x)) {
            return Float.NaN;
        }
        double y = Math.abs(x);
        // Math.exp is within an ulp; twice that is an upper bound of E.
        double e = Math.exp(-y) * (1 + 0x1p-51);
        if (!(e <= CLOSED_FORM_EXP)) {
            return Float.NaN;
        }
        double p = exactProduct(exactProduct(exactProduct(t == 0 ? oneMinus(alpha) : alpha, y), w), scale);
        if (!(p == p) || p == 0 || Double.isInfinite(p)) {
            return Float.NaN;
        }
        double c = 1 / y - gamma;
        // c's two roundings, and the E^2 terms of log(1 + rho)'s bounds below and above.
        double cError = (1 / y + gamma) * 4 * U;
        double below = e * (0.5 / y + 0.5 / (y * y)) * SAFE;
        double above = gamma * e * 0.5 * SAFE;
        boolean positive = c - cError > below;
        if (!positive && !(c + cError < -above)) {
            return Float.NaN;
        }
        double phi = e * (Math.abs(c) + cError + Math.max(below, above)) * SAFE;
        double rho = phi * (1 + 2 * phi) * SAFE;
        double magnitude = Math.abs(p);
        float f = (float) magnitude;
        double gap = midpointGap(magnitude);
        float result;
        if (gap == 0) {
            // A midpoint: the exact value lies rho P to one side, within half the spacing.
            float lower = f < magnitude ? f : Math.nextDown(f);
            if (!(rho * magnitude * SAFE < Math.ulp(lower) / 2)) {
                return Float.NaN;
            }
            result = positive ? Math.nextUp(lower) : lower;
        } else {
            if (!(rho * magnitude * SAFE < gap)) {
                return Float.NaN;
            }
            result = f;
        }
        return p < 0 ? -result : result;
    }

    /** 1 - a when the double difference is exact, NaN otherwise (Knuth's TwoSum gives the rounding error). */
    private static double oneMinus(double a) {
        double s = 1 - a;
        double v = s - 1;
        return (1 - (s - v)) + (-a - v) == 0 ? s : Double.NaN;
    }

    /** a * b when the double product is exact, NaN otherwise (fma gives the rounding error). */
    private static double exactProduct(double a, double b) {
        double p = a * b;
        return Math.fma(a, b, -p) == 0 && (p == 0 || Math.abs(p) >= Double.MIN_NORMAL) ? p : Double.NaN;
    }

    /**
     * The distance from a (at least 0, finite) to the nearest float32 midpoint, 0 at a midpoint.
     * Midpoints have 25 significant bits, so they and both differences are exact doubles.
     */
    static double midpointGap(double a) {
        float f = (float) a;
        double above;
        double below;
        if (Float.isInfinite(f)) {
            above = Double.POSITIVE_INFINITY;
            below = (double) Float.MAX_VALUE + Math.ulp(Float.MAX_VALUE) / 2.0;
        } else {
            above = (double) f + Math.ulp(f) / 2.0;
            below = f == 0 ? Double.NEGATIVE_INFINITY : (double) f - Math.ulp(Math.nextDown(f)) / 2.0;
        }
        return Math.min(above - a, a - below);
    }
}
