package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Numbers formats without java.util.Formatter; these hold it to what Formatter prints. */
class NumbersTest {
    private static void assertPercentLikeFormatter(double fraction) {
        assertEquals(String.format(Locale.ROOT, "%.2f%%", 100 * fraction), Numbers.percent(fraction),
                () -> "fraction " + fraction);
    }

    @Test
    void percentRoundsHalfUpOnTheShortestDecimalAsFormatterDoes() {
        double[] edges = {0, -0.0, 1, -1, 0.5, 0.00125, 0.00135, 0.01005, 0.99995, 0.9999499999, 1e-9, -1e-9,
            0.123456, 12345.678, 1e5, 3e13, -7.77777e-5, Double.MIN_VALUE, 0.29, 0.575, 1.005 / 100};
        for (double f : edges) {
            assertPercentLikeFormatter(f);
        }
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            double f = rnd.nextDouble() * Math.pow(10, rnd.nextInt(9) - 6) * (rnd.nextBoolean() ? 1 : -1);
            assertPercentLikeFormatter(f);
            // Values on a half-way decimal, where the rounding direction shows.
            assertPercentLikeFormatter((rnd.nextInt(200_000) + 0.5) / 1e7);
        }
    }

    @Test
    void percentOfNonFiniteSharesIsTheNumberText() {
        assertEquals("nan", Numbers.percent(Double.NaN));
        assertEquals("inf", Numbers.percent(Double.POSITIVE_INFINITY));
        assertEquals("-inf", Numbers.percent(Double.NEGATIVE_INFINITY));
    }

    @Test
    void scientificExponentHasAtLeastTwoDigits() {
        assertEquals("1.234568e-05", Numbers.format(1.2345678e-5));
        assertEquals("-5e+07", Numbers.format(-5e7));
        assertEquals("1e+100", Numbers.format(1e100));
        assertEquals("2.5e-300", Numbers.format(2.5e-300));
    }
}
