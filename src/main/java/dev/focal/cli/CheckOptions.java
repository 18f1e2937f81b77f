package dev.focal.cli;

import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.value;

import dev.focal.FocalException;
import dev.focal.io.AtomicFile;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** eval's regression checks: --expect, --expect-stats, --update, --junit and their tolerances. */
final class CheckOptions {
    private final CommandSpec spec;
    String expectSpec;
    Path expectStats;
    boolean update;
    Path junit;
    final ToleranceOptions tolerance;

    /** Adds the options to {@code spec}. */
    CheckOptions(CommandSpec spec) {
        this.spec = spec;
        option(spec, "--expect", "REF", String.class, null,
                "Check what --out would hold (the loss after --reduction) against REF, with compare's"
                        + " rules and tolerances; exit 1 and a report on a mismatch.");
        option(spec, "--expect-stats", "GOLDEN", Path.class, null,
                "Check the summary against a golden summary (JSON): loss sums and means within the"
                        + " tolerance, counts exactly; exit 1 listing each differing field. Written when GOLDEN does not"
                        + " exist yet, or with --update.");
        flag(spec, "--update", "With --expect-stats: rewrite the golden summary instead of checking it.");
        option(spec, "--junit", "FILE", Path.class, null,
                "Write a JUnit XML report with one test case per check (--expect, --expect-stats) to FILE.");
        tolerance = new ToleranceOptions(spec);
    }

    /** The parsed values into the fields. */
    void read() {
        expectSpec = value(spec, "--expect");
        expectStats = value(spec, "--expect-stats");
        update = value(spec, "--update");
        junit = value(spec, "--junit");
        tolerance.read();
    }

    boolean any() {
        return expectSpec != null || expectStats != null;
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
            throw FocalException.usage("--junit reports the checks of --expect and --expect-stats; give one of them");
        }
        if (tolerance.rtol != null && !any()) {
            throw FocalException.usage("--rtol and --atol apply to --expect and --expect-stats; give one of them");
        }
        if (junit != null) {
            AtomicFile.checkWritable(junit);
        }
    }

    /**
     * Runs the checks that were asked for and writes the JUnit report; null when none were.
     * {@code expected} is the --expect reference, {@code loss} what --out holds.
     */
    EvalChecks run(Tensor expected, Tensor loss, String summaryJson, DType outputType, PrintWriter err)
            throws IOException {
        if (!any()) {
            // Checks need jackson-databind, whose loading alone costs a plain run a third of its time.
            return null;
        }
        EvalChecks results = new EvalChecks(tolerance, outputType);
        if (expected != null) {
            results.expect(expectRef(), expected, loss);
        }
        if (expectStats != null) {
            results.expectStats(expectStats, summaryJson, update, err);
        }
        if (junit != null) {
            results.writeJUnit(junit);
        }
        return results;
    }
}
