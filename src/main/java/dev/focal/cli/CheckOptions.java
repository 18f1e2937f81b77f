package dev.focal.cli;

import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.value;

import dev.focal.FocalException;
import dev.focal.io.AtomicFile;
import dev.focal.compare.JUnitReport;
import dev.focal.io.TensorRef;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * eval's regression checks: --expect, --expect-stats, --update, --fail-on-nonfinite, --junit and
 * their tolerances.
 */
final class CheckOptions {
    private final CommandSpec spec;
    String expectSpec;
    Path expectStats;
    boolean update;
    boolean failOnNonFinite;
    Path junit;
    final ToleranceOptions tolerance;

    /** Adds the options to {@code spec}. */
    CheckOptions(CommandSpec spec) {
        this.spec = spec;
        option(spec, "--expect", "REF", String.class, null,
                "Check what --out would hold (the loss after --reduction) against REF, with compare's"
                        + " rules; the tolerance is relative only (the dtype's rtol, atol 0) unless --rtol/--atol"
                        + " are given. Exit 1 and a report on a mismatch.");
        option(spec, "--expect-stats", "GOLDEN", Path.class, null,
                "Check the summary against a golden summary (JSON): figures within the tolerance, counts"
                        + " exactly; exit 1 listing each differing field. A missing GOLDEN fails the check; it is"
                        + " then written, except in CI (the CI variable set).");
        flag(spec, "--update", "With --expect-stats: write the golden summary instead of checking it.");
        flag(spec, "--fail-on-nonfinite", "Exit 1 when the loss holds NaN or infinity anywhere, naming the"
                + " first index of each.");
        option(spec, "--junit", "FILE", Path.class, null,
                "Write a JUnit XML report with one test case per check to FILE (an error case if the run fails).");
        tolerance = new ToleranceOptions(spec);
    }

    /** The parsed values into the fields. */
    void read() {
        expectSpec = value(spec, "--expect");
        expectStats = value(spec, "--expect-stats");
        update = value(spec, "--update");
        failOnNonFinite = value(spec, "--fail-on-nonfinite");
        junit = value(spec, "--junit");
        tolerance.read();
    }

    boolean any() {
        return expectSpec != null || expectStats != null || failOnNonFinite;
    }

    /** The reference of --expect, or null. */
    TensorRef expectRef() {
        return expectSpec == null ? null : TensorRef.parse(expectSpec);
    }

    /** Usage errors (exit 2), before any work. */
    void check() {
        tolerance.check();
        if (update && expectStats == null) {
            throw FocalException.usage("--update rewrites the golden summary of --expect-stats; give --expect-stats GOLDEN");
        }
        if (junit != null && !any()) {
            throw FocalException.usage("--junit reports the checks of --expect, --expect-stats and"
                    + " --fail-on-nonfinite; give one of them");
        }
        if (tolerance.rtol != null && expectSpec == null && expectStats == null) {
            throw FocalException.usage("--rtol and --atol apply to --expect and --expect-stats; give one of them");
        }
    }

    /**
     * Refuses a --junit path that is a directory or an input (exit 2, and no report: the path is
     * the problem). After this, a run that fails still writes its report ({@link #reportError}).
     */
    void checkReport(List<TensorRef> inputs) {
        if (junit != null) {
            AtomicFile.checkWritable(junit);
            OutputPaths.refuseClashes(List.of(junit), inputs);
        }
    }

    /** Writes the run's failure into the --junit report, if one was asked for: see {@link #writeError}. */
    void reportError(RuntimeException failure) {
        if (junit != null) {
            writeError(junit, "focal eval", "focal eval", "focal.eval", failure);
        }
    }

    /**
     * Writes a JUnit report holding one error case with the run's one-line message, so that CI
     * sees the failure instead of an earlier, passing report; a report that cannot be written is
     * added to the failure, which stays the one reported.
     */
    static void writeError(Path junit, String suite, String caseName, String classname, RuntimeException failure) {
        String message = failure instanceof FocalException ? failure.getMessage() : "internal error: " + failure;
        try {
            JUnitReport.write(junit, suite, List.of(JUnitReport.Case.error(caseName, classname, message)));
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Runs the checks that were asked for and writes the JUnit report; null when none were.
     * {@code expected} is the --expect reference, {@code loss} what --out holds.
     */
    EvalChecks run(Tensor expected, Tensor loss, EvalSummary summary, DType outputType, LossAccumulator acc,
            Shape shape, Settings settings, PrintWriter err) throws IOException {
        if (!any()) {
            // Checks need jackson-databind, whose loading alone costs a plain run a third of its time.
            return null;
        }
        EvalChecks results = new EvalChecks(tolerance, outputType, err);
        if (expected != null) {
            results.expect(expectRef(), expected, loss);
        }
        if (expectStats != null) {
            results.expectStats(expectStats, summary, update, settings);
        }
        if (failOnNonFinite) {
            results.finite(acc, shape);
        }
        if (junit != null) {
            results.writeJUnit(junit);
        }
        return results;
    }
}
