package dev.focal.cli;

import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.parameter;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.compare.ComparisonResult;
import dev.focal.compare.JUnitReport;
import dev.focal.compare.TensorComparison;
import dev.focal.io.AtomicFile;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal compare}: whether two tensors are close, as torch.testing.assert_close decides it. */
final class CompareCommand implements Callable<Integer> {
    final CommandSpec spec = CommandModel.command(this, "compare",
            "Compares two tensors as torch.testing.assert_close does.",
            "ACTUAL is close to EXPECTED iff, element-wise,",
            "",
            "  |actual - expected| <= atol + rtol * |expected|;",
            "",
            "infinities must match exactly; NaN matches NaN only with --equal-nan.",
            "Float dtypes may differ (compared in double); integers compare exactly.",
            "Exit 0 close, 1 not close or the shapes differ, 3 an input cannot be read.");
    private final ToleranceOptions tolerance;

    private final Arg<String> expectedSpec;
    private final Arg<String> actualSpec;
    private final Arg<Boolean> json;
    private final Arg<Path> junit;

    /** The options in the order --help lists them. */
    CompareCommand() {
        spec.usageMessage().sortOptions(false);
        expectedSpec = parameter(spec, "0", "1", "EXPECTED", String.class, "The reference: FILE or FILE:KEY (.npy, .npz,"
                + " .safetensors, .json; - is standard input).");
        actualSpec = parameter(spec, "1", "1", "ACTUAL", String.class, "The tensor to check: FILE or FILE:KEY.");
        tolerance = new ToleranceOptions(spec);
        json = flag(spec, "--json", "Print the report as JSON.");
        junit = option(spec, "--junit", "FILE", Path.class, null, "Also write a JUnit XML report to FILE, for CI.");
        helpOptions(spec);
        examples(spec,
                "  # The same logits stored two ways, within the default tolerances",
                "  focal compare samples/anchor_head.npz:logits samples/anchor_head/logits.npy",
                "  # Bit for bit, with a JSON report and a JUnit file for CI",
                "  focal compare --rtol 0 --atol 0 --json --junit /tmp/compare.xml \\",
                "      samples/anchor_head.npz:targets samples/anchor_head/targets.npy");
    }


    @Override
    public Integer call() throws IOException {
        TensorRef expectedRef = TensorRef.parse(expectedSpec.get());
        TensorRef actualRef = TensorRef.parse(actualSpec.get());
        OpenFiles.stdinOnce(List.of(expectedRef, actualRef));
        if (junit.get() != null) {
            AtomicFile.checkWritable(junit.get());
            OutputPaths.refuseClashes(List.of(junit.get()), List.of(expectedRef, actualRef));
        }
        try {
            return compare(expectedRef, actualRef);
        } catch (RuntimeException e) {
            if (junit.get() != null) {
                CheckOptions.writeError(junit.get(), "focal compare", expectedRef + " vs " + actualRef, "focal.compare", e);
            }
            throw e;
        }
    }

    private int compare(TensorRef expectedRef, TensorRef actualRef) throws IOException {
        tolerance.check();
        long start = System.nanoTime();
        ComparisonResult result;
        try (TensorFile expectedFile = TensorIO.open(expectedRef.file());
             TensorFile actualFile = TensorIO.open(actualRef.file())) {
            Tensor expected = expectedFile.get(expectedRef.key());
            Tensor actual = actualFile.get(actualRef.key());
            result = TensorComparison.compare(expected, actual, tolerance.resolve(expected.dtype(), actual.dtype()),
                    tolerance.equalNan.get());
        }
        CompareReport report = new CompareReport(expectedRef.toString(), actualRef.toString(), result);
        if (junit.get() != null) {
            JUnitReport.write(junit.get(), "focal compare", List.of(report.junitCase((System.nanoTime() - start) / 1e9)));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json.get() ? report.json() : report.text());
        out.flush();
        if (!result.close()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("focal: " + actualRef + " differs from " + expectedRef + ": " + report.headline());
            err.flush();
        }
        return result.close() ? 0 : FocalException.DIFFERENCES;
    }
}
