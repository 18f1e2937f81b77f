package dev.focal.cli;

import dev.focal.FocalException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of --gamma or --alpha (docs/commands.md#sweeps): a number, or a comma-separated
 * list of numbers and ranges START:END:STEP. A range's values are START + k * STEP computed in
 * decimal from the text as written, so that 0:1:0.1 gives 0.3 (not 0.30000000000000004) and
 * its END is included whenever a step reaches it; each value is then the double nearest that
 * decimal, as a lone number would be.
 */
final class SweepValues {
    /** Per option: a sweep's cost grows with the product, and a list this long is a typo. */
    static final int MAX_VALUES = 1000;

    private SweepValues() {
    }

    /** The values of {@code text}, in order; a usage error (exit 2) naming the option and the text otherwise. */
    static double[] parse(String option, String text) {
        List<Double> values = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String[] parts = item.split(":", -1);
            if (parts.length == 1) {
                values.add(value(option, text, item));
            } else if (parts.length == 3) {
                range(option, text, item, parts, values);
            } else {
                throw bad(option, text, "'" + item + "' is neither a number nor a range START:END:STEP");
            }
            if (values.size() > MAX_VALUES) {
                throw bad(option, text, "more than " + MAX_VALUES + " values");
            }
        }
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void range(String option, String text, String item, String[] parts, List<Double> values) {
        BigDecimal start = decimal(option, text, parts[0]);
        BigDecimal end = decimal(option, text, parts[1]);
        BigDecimal step = decimal(option, text, parts[2]);
        if (step.signum() <= 0) {
            throw bad(option, text, "the range " + item + " needs a STEP above 0");
        }
        if (end.compareTo(start) < 0) {
            throw bad(option, text, "the range " + item + " ends before it starts");
        }
        // The count first, so that a range of a billion values is refused before it is listed.
        BigDecimal steps = end.subtract(start).divideToIntegralValue(step);
        if (steps.compareTo(BigDecimal.valueOf(MAX_VALUES)) >= 0) {
            throw bad(option, text, "the range " + item + " has more than " + MAX_VALUES + " values");
        }
        for (int k = 0; k <= steps.intValueExact(); k++) {
            values.add(finite(option, text, start.add(step.multiply(BigDecimal.valueOf(k))).toString()));
        }
    }

    private static double value(String option, String text, String item) {
        decimal(option, text, item);
        return finite(option, text, item.strip());
    }

    /** A decimal number as written (no NaN, infinity or hexadecimal), else a usage error. */
    private static BigDecimal decimal(String option, String text, String s) {
        try {
            return new BigDecimal(s.strip());
        } catch (NumberFormatException e) {
            throw bad(option, text, s.isBlank() ? "an empty value" : "'" + s + "' is not a number");
        }
    }

    private static double finite(String option, String text, String decimal) {
        double d = Double.parseDouble(decimal);
        if (!Double.isFinite(d)) {
            throw bad(option, text, decimal + " is beyond the range of a double");
        }
        return d;
    }

    private static FocalException bad(String option, String text, String problem) {
        return FocalException.usage(option + " '" + text + "': " + problem + "; give a number, a list (0,0.5,1)"
                + " or a range START:END:STEP (0.25:0.75:0.25)");
    }
}
