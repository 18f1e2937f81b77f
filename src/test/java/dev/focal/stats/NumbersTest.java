package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** Python's {@code '%.7g' % v} of each (but for -0.0, which it prints as -0). */
    @Test
    void sevenDigitsAsPrintfsG() {
        double[] values = {0.0, 1234.5678, 1e10, -1e-10, 0.0001, 9999999.0, 1e7, 0.5, -3.25, 12.0, 1.5e-9,
            6.02214076e23, 9999999.5, -9999999.5, 99999995.0, 9.999999951e-05, -9.999999951e-05, 9.9999995e-05};
        String[] python = {"0", "1234.568", "1e+10", "-1e-10", "0.0001", "9999999", "1e+07", "0.5", "-3.25", "12",
            "1.5e-09", "6.022141e+23", "1e+07", "-1e+07", "1e+08", "0.0001", "-0.0001", "9.999999e-05"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], Numbers.format(values[i]), "'%.7g' % " + values[i]);
        }
    }

    /**
     * The shortest digits, checked against Python's repr and numpy's shortest float32 form
     * (tools/oracle/shortest_oracle.py): the same decimal value, so the same digits, on every
     * JDK. The fixture holds 1e23, which JDK 17's Double.toString prints as 9.999999999999999E22.
     */
    @Test
    void shortestHasPythonsDigits() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/stats/shortest.csv"));
        int doubles = 0;
        int floats = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            BigDecimal python = new BigDecimal(f[2].replace(".e", "e"));
            String ours;
            if (f[0].equals("float64")) {
                double v = Double.longBitsToDouble(Long.parseUnsignedLong(f[1], 16));
                ours = Numbers.shortest(v);
                assertEquals(v, Double.parseDouble(ours), line);
                doubles++;
            } else {
                float v = Float.intBitsToFloat(Integer.parseUnsignedInt(f[1], 16));
                ours = Numbers.shortest(v);
                assertEquals(v, Float.parseFloat(ours), line);
                floats++;
            }
            assertEquals(0, python.compareTo(new BigDecimal(ours)), () -> line + " -> " + ours);
        }
        assertTrue(doubles > 500 && floats > 100, doubles + " doubles, " + floats + " floats");
        assertEquals("1.0E23", Numbers.shortest(1e23));
    }
}
