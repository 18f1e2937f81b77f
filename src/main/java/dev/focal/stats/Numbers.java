package dev.focal.stats;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Number text for humans: seven significant digits, plain in the everyday range, else scientific.
 * No java.util.Formatter: its first use loads the locale data, a measurable part of a short run
 * (BENCHMARKS.md), and a report should not change its decimal point with the user's locale anyway.
 */
public final class Numbers {
    private Numbers() {
    }

    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(7)).stripTrailingZeros();
        String unscaled = d.unscaledValue().abs().toString();
        // As %g, by the exponent after rounding: 9999999.5 rounds to 1e+07 and prints so.
        int exponent = unscaled.length() - 1 - d.scale();
        if (exponent >= -4 && exponent < 7) {
            return d.toPlainString();
        }
        String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    /**
     * A share as a percentage with two decimals, as {@code %.2f%%} in the root locale prints it:
     * the shortest decimal that reads back as the double, rounded half up, with the sign of -0.
     */
    public static String percent(double fraction) {
        if (!Double.isFinite(fraction)) {
            return format(fraction);
        }
        double p = 100 * fraction;
        String digits = new BigDecimal(Double.toString(Math.abs(p))).setScale(2, RoundingMode.HALF_UP).toPlainString();
        return (Double.doubleToRawLongBits(p) < 0 ? "-" : "") + digits + "%";
    }

    /**
     * The shortest decimal that reads back as {@code v}, the closest to it when several are as
     * short, in Double.toString's notation ({@code 1.0E23}). JDK 17's Double.toString is not
     * always the shortest (it prints 1e23 as {@code 9.999999999999999E22}; JDK 19 fixed that with
     * Raffaello Giulietti's Schubfach algorithm). jackson-core ships the same algorithm, so we
     * call it rather than keep a copy: tables, summaries and tensor files then print the same
     * digits on every JDK.
     */
    public static String shortest(double v) {
        return NumberOutput.toString(v, true);
    }

    /** As {@link #shortest(double)}, for a float: the shortest decimal that reads back as {@code v}. */
    public static String shortest(float v) {
        return NumberOutput.toString(v, true);
    }
}
