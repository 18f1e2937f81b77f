package dev.focal.cli;

import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.option;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.compare.Tolerance;
import dev.focal.tensor.DType;
import picocli.CommandLine.Model.CommandSpec;

/** --rtol, --atol and --equal-nan, shared by compare and eval's checks. */
final class ToleranceOptions {
    private final CommandSpec spec;
    final Arg<Double> rtol;
    final Arg<Double> atol;
    final Arg<Boolean> equalNan;

    /** Adds the options to {@code spec}. */
    ToleranceOptions(CommandSpec spec) {
        this.spec = spec;
        rtol = option(spec, "--rtol", "R", Double.class, null, "Relative tolerance; give --atol too. Default by dtype,"
                + " as assert_close: float16 1e-3, float32 1.3e-6, float64 1e-7, integers 0 (the larger of the two dtypes').");
        atol = option(spec, "--atol", "A", Double.class, null, "Absolute tolerance; give --rtol too. Default by dtype:"
                + " float16 1e-5, float32 1e-5, float64 1e-7, integers 0.");
        equalNan = flag(spec, "--equal-nan", "Count NaN against NaN as close.");
    }


    /** Both tolerances or neither: one alone would silently keep the other's default (torch refuses too). */
    void check() {
        if ((rtol.get() == null) != (atol.get() == null)) {
            throw FocalException.usage("--rtol and --atol must be given together, as in torch.testing.assert_close");
        }
        if (rtol.get() != null && (!(rtol.get() >= 0 && atol.get() >= 0) || rtol.get().isInfinite() || atol.get().isInfinite())) {
            throw FocalException.usage("--rtol and --atol must be finite numbers >= 0, not " + rtol.get() + " and " + atol.get());
        }
    }

    /**
     * For eval's checks (--expect, --expect-stats): the given tolerance, else the dtype's default
     * rtol with atol 0, as numpy's assert_allclose. assert_close's atol (1e-5 for float32) would
     * wave through a loss element or a per-anchor mean that changed 100-fold: they are typically
     * far smaller than that.
     */
    Tolerance relative(DType expected, DType actual) {
        return rtol.get() != null ? new Tolerance(rtol.get(), atol.get()) : new Tolerance(Tolerance.defaults(expected, actual).rtol(), 0);
    }

    /** The given tolerance, else assert_close's default for the two dtypes. */
    Tolerance resolve(DType expected, DType actual) {
        return rtol.get() != null ? new Tolerance(rtol.get(), atol.get()) : Tolerance.defaults(expected, actual);
    }
}
