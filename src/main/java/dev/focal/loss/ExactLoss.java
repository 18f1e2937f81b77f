package dev.focal.loss;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The float32 rounding of one element's exact loss (docs/accuracy.md#the-exact-evaluation), for
 * the rare elements whose double result cannot decide it. The loss is enclosed in an interval of
 * decimals, every operation rounded outward, so the exact real value lies inside whatever the
 * rounding errors were; the precision doubles until both ends round to the same float32. Slow
 * (tens of microseconds at the first precision): {@link Float32Rounding} calls it for a few
 * elements in ten million.
 */
final class ExactLoss {
    /** Decimal digits of the first attempt, and the last: beyond it the answer is {@code NaN}. */
    static final int FIRST_DIGITS = 40;
    static final int LAST_DIGITS = 1280;
    /**
     * exp(-y) is evaluated up to this y; beyond it exp(-y) is only bounded, by 10^-28000 (it is
     * below 10^-28461), which decides every loss whose value does not hinge on it.
     */
    private static final double EXP_LIMIT = 65536;
    private static final BigDecimal TINY = new BigDecimal("1e-28000");
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal THREE_QUARTERS = new BigDecimal("0.75");
    /** Integer gammas up to this take repeated products, exact but for their outward rounding. */
    private static final int INTEGER_POWERS = 64;

    private ExactLoss() {
    }

    /**
     * The correctly rounded float32 of {@code a * q^gamma * bce * w * scale} for finite inputs
     * (docs/semantics.md#per-element-loss), or NaN when no interval up to {@link #LAST_DIGITS}
     * decides it or the value is not a finite real (q^gamma of a negative q).
     */
    static float rounded(double x, double t, double w, double gamma, double alpha, double scale) {
        for (int digits = FIRST_DIGITS; digits <= LAST_DIGITS; digits *= 2) {
            Interval loss = new Context(digits).loss(x, t, w, gamma, alpha, scale);
            if (loss == null) {
                return Float.NaN;
            }
            float lo = toFloat(loss.lo);
            float hi = toFloat(loss.hi);
            if (Float.floatToRawIntBits(lo) == Float.floatToRawIntBits(hi)) {
                return lo;
            }
        }
        return Float.NaN;
    }

    /**
     * v rounded to the nearest float32, ties to even: the double nearest v rounded again can be
     * off when that double is itself a float32 midpoint, so the neighbours are compared exactly.
     * A tie needs no rule here: a v exactly at a midpoint is a double (25 significant bits), which
     * the first cast rounds to even, and the loop moves f only when v lies strictly past one.
     */
    static float toFloat(BigDecimal v) {
        int sign = v.signum();
        BigDecimal a = v.abs();
        float f = (float) Math.abs(a.doubleValue());
        while (true) {
            BigDecimal up = above(f);
            if (up != null && a.compareTo(up) > 0) {
                f = Math.nextUp(f);
                continue;
            }
            BigDecimal down = f == 0 ? null : above(Math.nextDown(f));
            if (down != null && a.compareTo(down) < 0) {
                f = Math.nextDown(f);
                continue;
            }
            break;
        }
        return sign < 0 ? -f : f;
    }

    /** The midpoint between f (finite, at least 0) and the next float32 up, which past the largest is 2^128. */
    private static BigDecimal above(float f) {
        if (Float.isInfinite(f)) {
            return null;
        }
        return new BigDecimal((double) f + Math.ulp(f) / 2.0);
    }

    /** An interval [lo, hi] of decimals. */
    static final class Interval {
        final BigDecimal lo;
        final BigDecimal hi;

        Interval(BigDecimal lo, BigDecimal hi) {
            this.lo = lo;
            this.hi = hi;
        }

        static Interval of(BigDecimal v) {
            return new Interval(v, v);
        }
    }

    /** Outward-rounded arithmetic at one precision. */
    static final class Context {
        private final MathContext down;
        private final MathContext up;

        Context(int digits) {
            // Guard digits for the 25 squarings of exp, which multiply its relative error by 2^25.
            down = new MathContext(digits + 12, RoundingMode.FLOOR);
            up = new MathContext(digits + 12, RoundingMode.CEILING);
        }

        MathContext mc(boolean roundUp) {
            return roundUp ? up : down;
        }

        /** The loss of docs/semantics.md#per-element-loss with every real operation enclosed. */
        Interval loss(double x, double t, double w, double gamma, double alpha, double scale) {
            BigDecimal bx = new BigDecimal(x);
            BigDecimal bt = new BigDecimal(t);
            BigDecimal oneMinusT = BigDecimal.ONE.subtract(bt);
            Interval e = expNeg(bx.abs());
            Interval numerator = x >= 0 ? add(mul(Interval.of(bt), e), Interval.of(oneMinusT))
                    : add(Interval.of(bt), mul(Interval.of(oneMinusT), e));
            Interval q = div(numerator, add(Interval.of(BigDecimal.ONE), e));
            Interval qg = q == null ? null : power(q, gamma);
            if (qg == null) {
                return null;
            }
            BigDecimal margin = bx.max(BigDecimal.ZERO).subtract(bx.multiply(bt));
            Interval bce = add(Interval.of(margin), new Interval(log1p(e.lo, false), log1p(e.hi, true)));
            BigDecimal a = bt.multiply(new BigDecimal(alpha))
                    .add(oneMinusT.multiply(BigDecimal.ONE.subtract(new BigDecimal(alpha))));
            Interval loss = mul(mul(Interval.of(a), qg), bce);
            return mul(mul(loss, Interval.of(new BigDecimal(w))), Interval.of(new BigDecimal(scale)));
        }

        Interval add(Interval a, Interval b) {
            return new Interval(a.lo.add(b.lo, down), a.hi.add(b.hi, up));
        }

        Interval mul(Interval a, Interval b) {
            BigDecimal[] p = {a.lo.multiply(b.lo), a.lo.multiply(b.hi), a.hi.multiply(b.lo), a.hi.multiply(b.hi)};
            BigDecimal min = p[0];
            BigDecimal max = p[0];
            for (BigDecimal v : p) {
                min = min.min(v);
                max = max.max(v);
            }
            return new Interval(min.round(down), max.round(up));
        }

        /** a / b for b not holding 0; null when it does. */
        Interval div(Interval a, Interval b) {
            if (b.lo.signum() <= 0 && b.hi.signum() >= 0) {
                return null;
            }
            BigDecimal min = null;
            BigDecimal max = null;
            for (BigDecimal n : new BigDecimal[] {a.lo, a.hi}) {
                for (BigDecimal d : new BigDecimal[] {b.lo, b.hi}) {
                    BigDecimal l = n.divide(d, down);
                    BigDecimal h = n.divide(d, up);
                    min = min == null ? l : min.min(l);
                    max = max == null ? h : max.max(h);
                }
            }
            return new Interval(min, max);
        }

        /** exp(-y) for y >= 0, held exactly by the interval. */
        Interval expNeg(BigDecimal y) {
            if (y.doubleValue() > EXP_LIMIT) {
                return new Interval(BigDecimal.ZERO, TINY);
            }
            return new Interval(BigDecimal.ONE.divide(expPos(y, true), down),
                    BigDecimal.ONE.divide(expPos(y, false), up));
        }

        /**
         * A bound of exp(z) for 0 <= z <= EXP_LIMIT, from above or below: the Taylor series of
         * exp(z / 2^k), small enough for a few terms, squared k times, every step rounded the
         * same way. The series' tail after the last term is below that term (z / 2^k <= 1/256),
         * which the bound from above adds once more.
         */
        BigDecimal expPos(BigDecimal z, boolean roundUp) {
            MathContext mc = mc(roundUp);
            int k = Math.max(0, Math.getExponent(z.doubleValue()) + 9);
            BigDecimal r = z.divide(TWO.pow(k)).round(mc);
            BigDecimal sum = BigDecimal.ONE;
            BigDecimal term = BigDecimal.ONE;
            BigDecimal negligible = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 2);
            for (int n = 1; term.compareTo(negligible) > 0; n++) {
                term = term.multiply(r, mc).divide(BigDecimal.valueOf(n), mc);
                sum = sum.add(term, mc);
            }
            if (roundUp) {
                sum = sum.add(term, mc);
            }
            for (int i = 0; i < k; i++) {
                sum = sum.multiply(sum, mc);
            }
            return sum;
        }

        /**
         * A bound of exp(v) for any v, from above or below; a v below -EXP_LIMIT gets 0 and
         * {@link #TINY}, a v above EXP_LIMIT null.
         */
        BigDecimal exp(BigDecimal v, boolean roundUp) {
            if (v.signum() >= 0) {
                return v.doubleValue() > EXP_LIMIT ? null : expPos(v, roundUp);
            }
            if (-v.doubleValue() > EXP_LIMIT) {
                return roundUp ? TINY : BigDecimal.ZERO;
            }
            return BigDecimal.ONE.divide(expPos(v.negate(), !roundUp), mc(roundUp));
        }

        /**
         * A bound of log(1 + e) for e in [0, 1], from above or below: 2 atanh(z), z = e / (2 + e)
         * in [0, 1/3], whose series' tail is below its last term times 1/8.
         */
        BigDecimal log1p(BigDecimal e, boolean roundUp) {
            if (e.signum() == 0) {
                return BigDecimal.ZERO;
            }
            MathContext mc = mc(roundUp);
            BigDecimal z = e.divide(TWO.add(e, mc(!roundUp)), mc);
            return atanh(z, roundUp).multiply(TWO);
        }

        /**
         * A bound of atanh(z) for |z| <= 1/3, from above or below: z + z^3/3 + z^5/5 + ..., with
         * the tail (below the last term times z^2 / (1 - z^2) <= 1/8) added again from above.
         */
        BigDecimal atanh(BigDecimal z, boolean roundUp) {
            if (z.signum() < 0) {
                return atanh(z.negate(), !roundUp).negate();
            }
            MathContext mc = mc(roundUp);
            BigDecimal z2 = z.multiply(z, mc);
            BigDecimal power = z;
            BigDecimal sum = z;
            BigDecimal term = z;
            BigDecimal negligible = z.movePointLeft(mc.getPrecision() + 2);
            for (int n = 3; term.compareTo(negligible) > 0; n += 2) {
                power = power.multiply(z2, mc);
                term = power.divide(BigDecimal.valueOf(n), mc);
                sum = sum.add(term, mc);
            }
            return roundUp ? sum.add(term, mc) : sum;
        }

        /**
         * A bound of log(v) for v > 0, from above or below: v = m 2^k with m in [3/4, 3/2), then
         * k log 2 + 2 atanh((m - 1) / (m + 1)), log 2 = 2 atanh(1/3). k is log2(v) rounded, from
         * the unscaled value's bit length (log2 of it rounded up) less scale log2(10), so m is
         * below 2^(1/2) at once and only ever doubled.
         */
        BigDecimal log(BigDecimal v, boolean roundUp) {
            MathContext mc = mc(roundUp);
            BigInteger unscaled = v.unscaledValue();
            int k = (int) Math.round(unscaled.bitLength() - v.scale() * 3.321928094887362);
            BigDecimal m = scaleByPowerOfTwo(v, -k);
            while (m.compareTo(THREE_QUARTERS) < 0) {
                m = m.multiply(TWO);
                k--;
            }
            m = m.round(mc);
            BigDecimal z = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), mc);
            BigDecimal logM = atanh(z, roundUp).multiply(TWO);
            BigDecimal third = BigDecimal.ONE.divide(BigDecimal.valueOf(3), mc(k >= 0 == roundUp));
            BigDecimal log2 = atanh(third, k >= 0 == roundUp).multiply(TWO);
            return log2.multiply(BigDecimal.valueOf(k)).add(logM, mc);
        }

        /**
         * q^gamma: 1 for gamma 0 (even at q = 0), repeated products for small integers, else
         * exp(gamma log q) at each end, q^gamma being monotonic in q. Null when the interval
         * reaches below 0 there (a NaN in double arithmetic).
         */
        Interval power(Interval q, double gamma) {
            if (gamma == 0) {
                return Interval.of(BigDecimal.ONE);
            }
            if (gamma == Math.rint(gamma) && Math.abs(gamma) <= INTEGER_POWERS) {
                Interval p = Interval.of(BigDecimal.ONE);
                for (int i = 0; i < Math.abs(gamma); i++) {
                    p = mul(p, q);
                }
                return gamma > 0 ? p : div(Interval.of(BigDecimal.ONE), p);
            }
            if (q.lo.signum() < 0 || q.hi.signum() <= 0) {
                return null;
            }
            BigDecimal g = new BigDecimal(gamma);
            BigDecimal small = gamma > 0 ? q.lo : q.hi;
            BigDecimal large = gamma > 0 ? q.hi : q.lo;
            if (large.signum() == 0) {
                return null;
            }
            BigDecimal lo;
            if (small.signum() == 0) {
                lo = BigDecimal.ZERO;
            } else {
                lo = exp(g.multiply(log(small, gamma < 0)).round(down), false);
            }
            BigDecimal hi = exp(g.multiply(log(large, gamma > 0)).round(up), true);
            return lo == null || hi == null ? null : new Interval(lo, hi);
        }

        private static BigDecimal scaleByPowerOfTwo(BigDecimal v, int k) {
            return k >= 0 ? v.multiply(TWO.pow(k)) : v.divide(TWO.pow(-k));
        }
    }
}
