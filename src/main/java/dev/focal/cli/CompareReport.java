package dev.focal.cli;

import dev.focal.stats.Numbers;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.compare.ComparisonResult;
import dev.focal.compare.Difference;
import dev.focal.compare.JUnitReport;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** One comparison rendered for people (a few lines), for programs (JSON), and for CI (a JUnit case). */
final class CompareReport {
    private final String expectedName;
    private final String actualName;
    private final ComparisonResult r;

    CompareReport(String expectedName, String actualName, ComparisonResult result) {
        this.expectedName = expectedName;
        this.actualName = actualName;
        this.r = result;
    }

    /** The verdict in one line, without the "close:" prefix; a JUnit failure's message. */
    String headline() {
        String within = "rtol=" + shortest(r.tolerance().rtol()) + ", atol=" + shortest(r.tolerance().atol());
        if (!r.shapesMatch()) {
            return "shapes differ: expected " + r.expectedShape() + ", actual " + r.actualShape();
        }
        if (r.total() == 0) {
            return "no elements to compare (shape " + r.expectedShape() + ")";
        }
        if (r.close()) {
            return (r.total() == 1 ? "the 1 element is" : "all " + count(r.total()) + " elements") + " within " + within;
        }
        double share = (double) r.mismatched() / r.total();
        // A few mismatches among millions are not "0.00%".
        String percent = share < 0.00005 ? "<0.01%" : Numbers.percent(share);
        return count(r.mismatched()) + " of " + count(r.total()) + " elements (" + percent + ") differ beyond " + within;
    }

    String text() {
        StringBuilder b = new StringBuilder();
        line(b, "close: " + (r.close() ? "yes" : "no") + " \u2014 " + headline());
        line(b, "  expected: " + expectedName + ", " + r.expectedDtype().numpyName() + " " + r.expectedShape());
        line(b, "  actual:   " + actualName + ", " + r.actualDtype().numpyName() + " " + r.actualShape());
        if (!r.shapesMatch()) {
            return b.toString();
        }
        if (!r.close()) {
            long finite = r.mismatched() - r.nanMismatches() - r.infMismatches();
            line(b, "  mismatched: " + count(finite) + " finite, " + count(r.nanMismatches()) + " NaN"
                    + (r.nanPairs() > 0 ? " (" + count(r.nanPairs()) + " NaN against NaN, which --equal-nan accepts)" : "")
                    + ", " + count(r.infMismatches()) + " infinity; the first at " + Shape.indexString(r.firstMismatch()));
        }
        String scope = r.diffsOverMismatched() ? " (of the mismatched elements)"
                : r.close() ? "" : " (of the pairs of finite values, all close)";
        difference(b, "greatest absolute difference" + scope, r.maxAbsDiff());
        difference(b, "greatest relative difference" + scope, r.maxRelDiff());
        if (r.atolOnly() > 0) {
            Difference d = r.maxRelAtolOnly();
            line(b, "  " + count(r.atolOnly()) + " close only by atol: relative difference above rtol="
                    + shortest(r.tolerance().rtol()) + ", the first at " + Shape.indexString(r.firstAtolOnly())
                    + ", the greatest " + Numbers.format(d.value()) + " at " + Shape.indexString(d.index())
                    + " (expected " + value(d.expected(), r.expectedDtype()) + ", actual "
                    + value(d.actual(), r.actualDtype()) + "); --atol 0 --rtol " + shortest(r.tolerance().rtol())
                    + " makes them failures");
        }
        if (r.total() > 0) {
            line(b, "  " + passingTolerances());
        }
        return b.toString();
    }

    private void difference(StringBuilder b, String label, Difference d) {
        if (d != null) {
            line(b, "  " + label + ": " + Numbers.format(d.value()) + " at " + Shape.indexString(d.index())
                    + " (expected " + value(d.expected(), r.expectedDtype()) + ", actual "
                    + value(d.actual(), r.actualDtype()) + ")");
        }
    }

    /** The smallest tolerances that pass, rounded up to three digits so that they still pass as written. */
    private String passingTolerances() {
        if (r.minRtol().isEmpty()) {
            return "no tolerance makes NaN or infinity mismatches close"
                    + (r.nanPairs() > 0 ? "; --equal-nan accepts NaN against NaN" : "");
        }
        double minRtol = r.minRtol().getAsDouble();
        double minAtol = r.minAtol().getAsDouble();
        String rtol = shortest(r.tolerance().rtol());
        String atol = shortest(r.tolerance().atol());
        if (Double.isInfinite(minAtol)) {
            return "no tolerance passes: a difference of finite values overflows to infinity";
        }
        String byAtol = "atol >= " + shortest(roundUp(minAtol)) + " (at rtol " + rtol + ")";
        if (r.close()) {
            // Passing already: say how much room is left, not what "would" pass.
            return r.maxAbsDiff() == null || r.maxAbsDiff().value() == 0 ? "every element is equal"
                    : "still passes with rtol >= " + shortest(roundUp(minRtol)) + " (at atol " + atol + ") or " + byAtol;
        }
        if (Double.isInfinite(minRtol)) {
            return "would pass with " + byAtol + "; no rtol passes at atol " + atol
                    + " (an expected 0 differs by more than atol)";
        }
        return "would pass with rtol >= " + shortest(roundUp(minRtol)) + " (at atol " + atol + ") or " + byAtol;
    }

    JUnitReport.Case junitCase(double seconds) {
        return new JUnitReport.Case(expectedName + " vs " + actualName, "focal.compare", r.close(), headline(), text(),
                seconds);
    }

    String json() throws IOException {
        StringWriter w = new StringWriter();
        boolean compared = r.shapesMatch();
        try (JsonGenerator g = JsonOutput.generator(w)) {
            g.writeStartObject();
            g.writeBooleanField("close", r.close());
            g.writeStringField("expected", expectedName);
            g.writeStringField("actual", actualName);
            g.writeStringField("dtype_expected", r.expectedDtype().numpyName());
            g.writeStringField("dtype_actual", r.actualDtype().numpyName());
            index(g, "shape_expected", r.expectedShape().dims());
            index(g, "shape_actual", r.actualShape().dims());
            g.writeNumberField("rtol", r.tolerance().rtol());
            g.writeNumberField("atol", r.tolerance().atol());
            g.writeBooleanField("equal_nan", r.equalNan());
            count(g, "total", compared, r.total());
            count(g, "mismatched", compared, r.mismatched());
            g.writeFieldName("mismatched_percent");
            if (compared) {
                g.writeNumber(r.total() == 0 ? 0.0 : 100.0 * r.mismatched() / r.total());
            } else {
                g.writeNull();
            }
            count(g, "nan_mismatches", compared, r.nanMismatches());
            count(g, "nan_vs_nan", compared, r.nanPairs());
            count(g, "inf_mismatches", compared, r.infMismatches());
            index(g, "first_mismatch", r.firstMismatch());
            g.writeFieldName("differences_over");
            if (r.maxAbsDiff() == null) {
                g.writeNull();
            } else {
                g.writeString(r.diffsOverMismatched() ? "mismatched" : "all");
            }
            difference(g, "max_abs_diff", r.maxAbsDiff());
            difference(g, "max_rel_diff", r.maxRelDiff());
            count(g, "atol_only", compared, r.atolOnly());
            index(g, "first_atol_only", r.firstAtolOnly());
            difference(g, "max_rel_diff_atol_only", r.maxRelAtolOnly());
            JsonOutput.optional(g, "min_rtol", r.minRtol());
            JsonOutput.optional(g, "min_atol", r.minAtol());
            g.writeEndObject();
        }
        return w.toString() + System.lineSeparator();
    }

    private static void count(JsonGenerator g, String field, boolean known, long n) throws IOException {
        g.writeFieldName(field);
        if (known) {
            g.writeNumber(n);
        } else {
            g.writeNull();
        }
    }

    private static void index(JsonGenerator g, String field, long[] idx) throws IOException {
        g.writeFieldName(field);
        if (idx == null) {
            g.writeNull();
        } else {
            g.writeArray(idx, 0, idx.length);
        }
    }


    private void difference(JsonGenerator g, String field, Difference d) throws IOException {
        g.writeFieldName(field);
        if (d == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("value", d.value());
        index(g, "index", d.index());
        g.writeFieldName("expected");
        element(g, d.expected());
        g.writeFieldName("actual");
        element(g, d.actual());
        g.writeEndObject();
    }

    /** Integers as JSON integers, exact (int64 labels read back as the same ints). */
    private static void element(JsonGenerator g, Number v) throws IOException {
        if (v instanceof Double) {
            g.writeNumber(v.doubleValue());
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else {
            g.writeNumber(v.longValue());
        }
    }

    private static void line(StringBuilder b, String s) {
        b.append(s).append(System.lineSeparator());
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * An element as its dtype holds it, to the digits that tell it from its neighbours (a
     * comparison at the tolerance's edge differs in the last digit): 1.0000001, not 1.
     */
    static String value(Number v, DType dtype) {
        if (!(v instanceof Double)) {
            return dtype == DType.BOOL ? (v.longValue() != 0 ? "True" : "False") : v.toString();
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            return Numbers.format(d);
        }
        return decimal(dtype == DType.FLOAT64 ? Numbers.shortest(d) : Numbers.shortest((float) d), d);
    }

    /** The shortest decimal that reads back as {@code v}, in Python's notation: 1e-05, 0.25, 1.3e-06. */
    static String shortest(double v) {
        return Double.isFinite(v) ? decimal(Numbers.shortest(v), v) : Numbers.format(v);
    }

    private static String decimal(String javaText, double v) {
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(javaText).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e16) {
            String plain = d.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String unscaled = d.unscaledValue().abs().toString();
        int exponent = unscaled.length() - 1 - d.scale();
        String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d",
                Math.abs(exponent));
    }

    /**
     * {@code v} rounded up to three significant digits. Rounding the shortest decimal of v (which
     * reads back as v) upward gives a decimal that reads back as a double >= v.
     */
    static double roundUp(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(Numbers.shortest(v)).round(new MathContext(3, RoundingMode.CEILING)).doubleValue();
    }
}
