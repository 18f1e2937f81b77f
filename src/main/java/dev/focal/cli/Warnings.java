package dev.focal.cli;

import dev.focal.stats.Numbers;
import dev.focal.FocalException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Input that focal evaluates as written but that a user most likely did not mean: a negative
 * gamma, an alpha outside [0, 1], targets outside [0, 1], logits that are all 0 or 1 (the
 * targets, given as --logits), every anchor ignored, logits that look class-first. Each is one line on stderr and an entry of
 * the summary's {@code warnings}; with {@code --strict} the first one fails the run instead,
 * before any output is written: exit 2 for the options, 3 for the data.
 */
final class Warnings {
    private final boolean strict;
    private final PrintWriter err;
    private final List<String> all = new ArrayList<>();

    Warnings(boolean strict, PrintWriter err) {
        this.strict = strict;
        this.err = err;
    }

    /** Before any work. */
    void options(double gamma, double alpha) {
        if (gamma < 0) {
            add(FocalException.USAGE, "--gamma " + Numbers.format(gamma) + " is negative: q^gamma then grows as"
                    + " an anchor gets easier, the opposite of focusing");
        }
        if (alpha < 0 || alpha > 1) {
            add(FocalException.USAGE, "--alpha " + Numbers.format(alpha) + " is outside [0, 1]: one side's"
                    + " weight (alpha or 1 - alpha) is negative");
        }
    }

    /** After the pass, before its outputs are committed. */
    void data(String logitsName, String targetsName, boolean logitsZerosAndOnes, double targetMin, double targetMax,
              long anchors, long ignored) {
        if (targetMin < 0 || targetMax > 1) {
            add(FocalException.INPUT, targetsName + ": targets range from " + Numbers.format(targetMin) + " to "
                    + Numbers.format(targetMax) + ", outside [0, 1]; one-hot or soft targets lie in [0, 1]"
                    + " (integer class labels go to --labels FILE --num-classes C)");
        }
        if (logitsZerosAndOnes) {
            add(FocalException.INPUT, logitsName + ": every logit is 0 or 1: these look like targets (are --logits"
                    + " and --targets swapped?); logits are the head's raw output, before the sigmoid");
        }
        if (anchors > 0 && ignored == anchors) {
            add(FocalException.INPUT, "every anchor is ignored (all its weights are 0): the loss is 0 by"
                    + " construction; check the weights");
        }
    }

    /** Inputs whose layout most likely is not the one they are read with. */
    void layout(String warning) {
        add(FocalException.INPUT, warning);
    }

    private void add(int exitCode, String warning) {
        if (strict) {
            throw new FocalException(exitCode, warning + " (--strict)");
        }
        all.add(warning);
        err.println("focal: warning: " + warning);
        err.flush();
    }

    List<String> all() {
        return all;
    }
}
