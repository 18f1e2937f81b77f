package dev.focal.cli;

import dev.focal.FocalException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal compare}: whether two tensors are close, as torch.testing.assert_close decides it. */
@Command(name = "compare",
        description = {
            "Compares ACTUAL with EXPECTED as torch.testing.assert_close does:",
            "  close iff |actual - expected| <= atol + rtol * |expected| element-wise;",
            "infinities must match exactly; NaN matches NaN only with --equal-nan.",
            "Float dtypes may differ (compared in double); integers compare exactly.",
            "Exit 0 close, 1 not close or the shapes differ, 3 an input cannot be read."},
        mixinStandardHelpOptions = true,
        sortOptions = false)
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPECTED", description = "The reference: FILE or FILE:KEY (.npy, .npz, .json).")
    String expectedSpec;

    @Parameters(index = "1", paramLabel = "ACTUAL", description = "The tensor to check: FILE or FILE:KEY.")
    String actualSpec;

    @Mixin
    ToleranceOptions tolerance;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report to FILE, for CI.")
    Path junit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        tolerance.check();
        TensorRef expectedRef = TensorRef.parse(expectedSpec);
        TensorRef actualRef = TensorRef.parse(actualSpec);
        if (junit != null) {
            AtomicFile.checkWritable(junit);
            OutputPaths.refuseClashes(List.of(junit), List.of(expectedRef, actualRef));
        }
        long start = System.nanoTime();
        ComparisonResult result;
        try (TensorFile expectedFile = TensorIO.open(expectedRef.file());
             TensorFile actualFile = TensorIO.open(actualRef.file())) {
            Tensor expected = expectedFile.get(expectedRef.key());
            Tensor actual = actualFile.get(actualRef.key());
            result = TensorComparison.compare(expected, actual, tolerance.resolve(expected.dtype(), actual.dtype()),
                    tolerance.equalNan);
        }
        CompareReport report = new CompareReport(expectedRef.toString(), actualRef.toString(), result);
        if (junit != null) {
            JUnitReport.write(junit, "focal compare", List.of(report.junitCase((System.nanoTime() - start) / 1e9)));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() : report.text());
        out.flush();
        return result.close() ? 0 : FocalException.DIFFERENCES;
    }
}
