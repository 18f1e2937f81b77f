package dev.focal.cli;

import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.value;

import dev.focal.FocalException;
import dev.focal.compare.Tolerance;
import dev.focal.tensor.DType;
import picocli.CommandLine.Model.CommandSpec;

/** --rtol, --atol and --equal-nan, shared by compare and eval's checks. */
final class ToleranceOptions {
    private final CommandSpec spec;
    Double rtol;
    Double atol;
    boolean equalNan;

    /** Adds the options to {@code spec}. */
    ToleranceOptions(CommandSpec spec) {
        this.spec = spec;
        option(spec, "--rtol", "R", Double.class, null, "Relative tolerance; give --atol too. Default by dtype,"
                + " as assert_close: float16 1e-3, float32 1.3e-6, float64 1e-7, integers 0 (the larger of the two dtypes').");
        option(spec, "--atol", "A", Double.class, null, "Absolute tolerance; give --rtol too. Default by dtype:"
                + " float16 1e-5, float32 1e-5, float64 1e-7, integers 0.");
        flag(spec, "--equal-nan", "Count NaN against NaN as close.");
    }

    /** The parsed values into the fields. */
    void read() {
        rtol = value(spec, "--rtol");
        atol = value(spec, "--atol");
        equalNan = value(spec, "--equal-nan");
    }

    /** Both tolerances or neither: one alone would silently keep the other's default (torch refuses too). */
    void check() {
        if ((rtol == null) != (atol == null)) {
            throw FocalException.usage("--rtol and --atol must be given together, as in torch.testing.assert_close");
        }
        if (rtol != null && (!(rtol >= 0 && atol >= 0) || rtol.isInfinite() || atol.isInfinite())) {
            throw FocalException.usage("--rtol and --atol must be finite numbers >= 0, not " + rtol + " and " + atol);
        }
    }

    /**
     * For eval's checks (--expect, --expect-stats): the given tolerance, else the dtype's default
     * rtol with atol 0, as numpy's assert_allclose. assert_close's atol (1e-5 for float32) would
     * wave through a loss element or a per-anchor mean that changed 100-fold: they are typically
     * far smaller than that.
     */
    Tolerance relative(DType expected, DType actual) {
        return rtol != null ? new Tolerance(rtol, atol) : new Tolerance(Tolerance.defaults(expected, actual).rtol(), 0);
    }

    /** The given tolerance, else assert_close's default for the two dtypes. */
    Tolerance resolve(DType expected, DType actual) {
        return rtol != null ? new Tolerance(rtol, atol) : Tolerance.defaults(expected, actual);
    }
}
