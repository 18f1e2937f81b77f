package dev.focal.cli;

import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.option;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
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
    final Arg<String> expectSpec;
    final Arg<Path> expectStats;
    final Arg<Boolean> update;
    final Arg<Boolean> failOnNonFinite;
    final Arg<Path> junit;
    final ToleranceOptions tolerance;

    /** Adds the options to {@code spec}. */
    CheckOptions(CommandSpec spec) {
        this.spec = spec;
        expectSpec = option(spec, "--expect", "REF", String.class, null,
                "Check what --out would hold (the loss after --reduction) against REF, with compare's"
                        + " rules; the tolerance is relative only (the dtype's rtol, atol 0) unless --rtol/--atol"
                        + " are given. Exit 1 and a report on a mismatch.");
        expectStats = option(spec, "--expect-stats", "GOLDEN", Path.class, null,
                "Check the summary against a golden summary (JSON): figures within the tolerance, counts"
                        + " exactly; exit 1 listing each differing field. A missing GOLDEN fails the check; it is"
                        + " then written, except in CI (the CI variable set).");
        update = flag(spec, "--update", "With --expect-stats: write the golden summary instead of checking it.");
        failOnNonFinite = flag(spec, "--fail-on-nonfinite", "Exit 1 when the loss holds NaN or infinity anywhere, naming the"
                + " first index of each.");
        junit = option(spec, "--junit", "FILE", Path.class, null,
                "Write a JUnit XML report with one test case per check to FILE (an error case if the run fails).");
        tolerance = new ToleranceOptions(spec);
    }


    boolean any() {
        return expectSpec.get() != null || expectStats.get() != null || failOnNonFinite.get();
    }

    /** The reference of --expect, or null. */
    TensorRef expectRef() {
        return expectSpec.get() == null ? null : TensorRef.parse(expectSpec.get());
    }

    /** Usage errors (exit 2), before any work. */
    void check() {
        tolerance.check();
        if (update.get() && expectStats.get() == null) {
            throw FocalException.usage("--update rewrites the golden summary of --expect-stats; give --expect-stats GOLDEN");
        }
        if (junit.get() != null && !any()) {
            throw FocalException.usage("--junit reports the checks of --expect, --expect-stats and"
                    + " --fail-on-nonfinite; give one of them");
        }
        if (tolerance.rtol.get() != null && expectSpec.get() == null && expectStats.get() == null) {
            throw FocalException.usage("--rtol and --atol apply to --expect and --expect-stats; give one of them");
        }
    }

    /**
     * Refuses a --junit path that is a directory or an input (exit 2, and no report: the path is
     * the problem). After this, a run that fails still writes its report ({@link #reportError}).
     */
    void checkReport(List<TensorRef> inputs) {
        if (junit.get() != null) {
            AtomicFile.checkWritable(junit.get());
            OutputPaths.refuseClashes(List.of(junit.get()), inputs);
        }
    }

    /** Writes the run's failure into the --junit report, if one was asked for: see {@link #writeError}. */
    void reportError(RuntimeException failure) {
        if (junit.get() != null) {
            writeError(junit.get(), "focal eval", "focal eval", "focal.eval", failure);
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
     * Runs the checks that were asked for; null when none were. {@code expected} is the --expect
     * reference, {@code loss} what --out holds; {@code dump} names the dump of a many-dumps eval
     * (empty for one run).
     */
    EvalChecks run(Tensor expected, Tensor loss, EvalSummary summary, DType outputType, LossAccumulator acc,
            Shape shape, Settings settings, PrintWriter err, String dump) throws IOException {
        if (!any()) {
            // Checks need jackson-databind, whose loading alone costs a plain run a third of its time.
            return null;
        }
        EvalChecks results = new EvalChecks(tolerance, outputType, err, dump);
        if (expected != null) {
            results.expect(expectRef(), expected, loss);
        }
        if (expectStats.get() != null) {
            results.expectStats(golden(dump), summary, update.get(), settings);
        }
        if (failOnNonFinite.get()) {
            results.finite(acc, shape);
        }
        return results;
    }

    /**
     * The golden summary of a dump: --expect-stats itself for one run; for a dump of a many-dumps
     * eval, the file in the --expect-stats folder named after the dump's file, plus ".json".
     */
    Path golden(String dump) {
        return dump.isEmpty() ? expectStats.get() : expectStats.get().resolve(TensorRef.parse(dump).path().getFileName()
                + ".json");
    }

    /** Writes the --junit report of the checks' cases, if one was asked for. */
    void writeReport(List<JUnitReport.Case> cases) {
        if (junit.get() != null) {
            JUnitReport.write(junit.get(), "focal eval", cases);
        }
    }
}
