package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.loss.ExactLoss.Context;
import dev.focal.loss.ExactLoss.Interval;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ExactLoss (docs/accuracy.md#the-exact-evaluation): each outward-rounded primitive encloses the
 * exact value and is tight enough to decide 40 digits, toFloat rounds a decimal to the nearest
 * float32 with ties to even, and the precision doubles until the loss is decided, up to 1,280
 * digits. Every expected value is mpmath's or Python's fractions' (tools/oracle/rounding_oracle.py).
 */
class ExactLossTest {
    private static final BigDecimal TIGHT = new BigDecimal("1e-40");

    @Test
    void everyPrimitiveEnclosesTheExactValueTightly() {
        Context ctx = new Context(ExactLoss.FIRST_DIGITS);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String[] c : Fixtures.tsv("loss/bounds.tsv")) {
            BigDecimal exact = new BigDecimal(c[2]);
            BigDecimal lo;
            BigDecimal hi;
            switch (c[0]) {
                case "exp" -> {
                    lo = ctx.exp(new BigDecimal(c[1]), false);
                    hi = ctx.exp(new BigDecimal(c[1]), true);
                }
                case "log" -> {
                    lo = ctx.log(new BigDecimal(c[1]), false);
                    hi = ctx.log(new BigDecimal(c[1]), true);
                }
                case "log1p" -> {
                    lo = ctx.log1p(new BigDecimal(c[1]), false);
                    hi = ctx.log1p(new BigDecimal(c[1]), true);
                }
                case "atanh" -> {
                    lo = ctx.atanh(new BigDecimal(c[1]), false);
                    hi = ctx.atanh(new BigDecimal(c[1]), true);
                }
                case "pow" -> {
                    String[] qg = c[1].split(" ");
                    Interval p = ctx.power(Interval.of(new BigDecimal(qg[0])), Double.parseDouble(qg[1]));
                    lo = p.lo;
                    hi = p.hi;
                }
                default -> throw new IllegalStateException(c[0]);
            }
            // Tight: 40 digits decided, relative to the value however small (exp(-65536) is near
            // 10^-28462, where a mere bound, [0, 10^-28000], would be wide); a 0 exactly.
            BigDecimal width = TIGHT.multiply(exact.abs());
            if (lo.compareTo(exact) > 0 || hi.compareTo(exact) < 0 || hi.subtract(lo).compareTo(width) > 0) {
                failures.add(c[0] + "(" + c[1] + ") = " + exact + " not tightly in [" + lo + ", " + hi + "]");
            }
            checked++;
        }
        assertTrue(checked > 50, "rows: " + checked);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Beyond exp(-y)'s limit it is only bounded, by 10^-28000; exp of more than the limit is none. */
    @Test
    void expBeyondItsLimitIsBoundedOrNone() {
        Context ctx = new Context(ExactLoss.FIRST_DIGITS);
        assertEquals(0, ctx.exp(new BigDecimal("-70000"), false).signum());
        assertEquals(new BigDecimal("1e-28000"), ctx.exp(new BigDecimal("-70000"), true));
        assertNull(ctx.exp(new BigDecimal("70000"), true));
        Interval e = ctx.expNeg(new BigDecimal("70000"));
        assertEquals(0, e.lo.signum());
        assertEquals(new BigDecimal("1e-28000"), e.hi);
        // At the limit itself, exp(-65536) (mpmath's, in bounds.tsv) is evaluated, not bounded.
        BigDecimal exact = Fixtures.tsv("loss/bounds.tsv").stream().filter(c -> c[0].equals("exp") && c[1].equals("-65536"))
                .map(c -> new BigDecimal(c[2])).findFirst().orElseThrow();
        Interval limit = ctx.expNeg(new BigDecimal("65536"));
        assertTrue(limit.lo.compareTo(exact) <= 0 && limit.hi.compareTo(exact) >= 0
                && limit.hi.subtract(limit.lo).compareTo(TIGHT.multiply(exact)) <= 0, limit.lo + " " + limit.hi);
    }

    /** Interval arithmetic on signs of every kind; a quotient by an interval holding 0 is none. */
    @Test
    void intervalArithmeticTakesTheExtremes() {
        Context ctx = new Context(ExactLoss.FIRST_DIGITS);
        Interval a = new Interval(new BigDecimal(-2), new BigDecimal(3));
        Interval b = new Interval(new BigDecimal(-5), new BigDecimal(-1));
        Interval product = ctx.mul(a, b);
        assertEquals("[-15, 10]", "[" + product.lo + ", " + product.hi + "]");
        Interval sum = ctx.add(a, b);
        assertEquals("[-7, 2]", "[" + sum.lo + ", " + sum.hi + "]");
        Interval quotient = ctx.div(new Interval(new BigDecimal(1), new BigDecimal(2)), b);
        assertEquals(0, quotient.lo.compareTo(new BigDecimal(-2)), quotient.lo.toString());
        assertEquals(0, quotient.hi.compareTo(new BigDecimal("-0.2")), quotient.hi.toString());
        assertNull(ctx.div(b, a));
        assertNull(ctx.div(b, new Interval(BigDecimal.ZERO, BigDecimal.ONE)));
        assertNull(ctx.div(b, new Interval(new BigDecimal(-1), BigDecimal.ZERO)));
        // A third, rounded outward at 52 digits.
        Interval third = ctx.div(Interval.of(BigDecimal.ONE), Interval.of(new BigDecimal(3)));
        assertEquals(new BigDecimal("0." + "3".repeat(52)), third.lo);
        assertEquals(new BigDecimal("0." + "3".repeat(51) + "4"), third.hi);
    }

    /** q^gamma of an interval reaching 0 or below: 0 for a positive gamma's lower end, else none. */
    @Test
    void powersOfIntervalsAtZero() {
        Context ctx = new Context(ExactLoss.FIRST_DIGITS);
        Interval zeroToHalf = new Interval(BigDecimal.ZERO, new BigDecimal("0.5"));
        Interval p = ctx.power(zeroToHalf, 2.5);
        assertEquals(0, p.lo.signum());
        assertTrue(p.hi.compareTo(new BigDecimal("0.1767766952966368811002110905262")) > 0
                && p.hi.compareTo(new BigDecimal("0.1767766952966368811002110905263")) < 0, p.hi.toString());
        assertNull(ctx.power(zeroToHalf, -2.5));
        assertNull(ctx.power(new Interval(new BigDecimal("-0.1"), BigDecimal.ONE), 2.5));
        assertNull(ctx.power(Interval.of(BigDecimal.ZERO), 0.5));
        Interval none = ctx.power(zeroToHalf, 0);
        assertEquals(BigDecimal.ONE, none.lo, "gamma 0 is 1, even at q = 0");
        assertEquals(BigDecimal.ONE, none.hi);
    }

    @Test
    void toFloatRoundsToTheNearestFloatTiesToEven() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String[] c : Fixtures.tsv("loss/to_float.tsv")) {
            int expected = Integer.parseUnsignedInt(c[1], 16);
            float got = ExactLoss.toFloat(new BigDecimal(c[0]));
            if (Float.floatToRawIntBits(got) != expected) {
                failures.add(c[0] + ": " + got + ", want " + Float.intBitsToFloat(expected));
            }
            checked++;
        }
        assertTrue(checked > 250, "rows: " + checked);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /**
     * Hard targets whose loss lies within exp(-|x|) of a midpoint: each |x| needs twice the digits
     * of the one before, up to 1,280; beyond, no precision decides and the answer is NaN.
     */
    @Test
    void thePrecisionDoublesUntilTheLossIsDecided() {
        for (String[] c : Fixtures.tsv("loss/exact_cases.tsv")) {
            float x = Float.intBitsToFloat(Integer.parseUnsignedInt(c[0], 16));
            float got = ExactLoss.rounded(x, Double.parseDouble(c[1]), Double.parseDouble(c[4]),
                    Double.parseDouble(c[2]), Double.parseDouble(c[3]), Double.parseDouble(c[5]));
            String want = c[6].equals("nan") ? "NaN" : Float.toString(Float.intBitsToFloat(Integer.parseUnsignedInt(c[6], 16)));
            assertEquals(want, Float.toString(got), "x = " + x);
        }
    }

    /** A target above 1 (outside docs/accuracy.md#the-domain) can make q negative, which has no real power: NaN. */
    @Test
    void aLossThatIsNotARealNumberIsNaN() {
        // t = 1.5 at x = 2: q's numerator 1.5 exp(-2) - 0.5 is below 0.
        assertEquals("NaN", Float.toString(ExactLoss.rounded(2, 1.5, 1, 0.5, 0.25, 1)));
        assertNull(new Context(ExactLoss.FIRST_DIGITS).loss(2, 1.5, 1, 0.5, 0.25, 1));
    }
}
