package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.compare.ComparisonResult;
import dev.focal.compare.JUnitReport;
import dev.focal.compare.TensorComparison;
import dev.focal.compare.Tolerance;
import dev.focal.io.AtomicFile;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--rtol", paramLabel = "R", description = "Relative tolerance; give --atol too. Default by dtype,"
            + " as assert_close: float16 1e-3, float32 1.3e-6, float64 1e-7, integers 0 (the larger of the two dtypes').")
    Double rtol;

    @Option(names = "--atol", paramLabel = "A", description = "Absolute tolerance; give --rtol too. Default by dtype:"
            + " float16 1e-5, float32 1e-5, float64 1e-7, integers 0.")
    Double atol;

    @Option(names = "--equal-nan", description = "Count NaN against NaN as close.")
    boolean equalNan;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report to FILE, for CI.")
    Path junit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Tolerance given = givenTolerance();
        TensorRef expectedRef = TensorRef.parse(expectedSpec);
        TensorRef actualRef = TensorRef.parse(actualSpec);
        checkJunit(expectedRef, actualRef);
        long start = System.nanoTime();
        ComparisonResult result;
        try (TensorFile expectedFile = TensorIO.open(expectedRef.file());
             TensorFile actualFile = TensorIO.open(actualRef.file())) {
            Tensor expected = expectedFile.get(expectedRef.key());
            Tensor actual = actualFile.get(actualRef.key());
            Tolerance tolerance = given != null ? given : Tolerance.defaults(expected.dtype(), actual.dtype());
            result = TensorComparison.compare(expected, actual, tolerance, equalNan);
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

    /** Both tolerances or neither: one alone would silently keep the other's default (torch refuses too). */
    private Tolerance givenTolerance() {
        if ((rtol == null) != (atol == null)) {
            throw FocalException.usage("--rtol and --atol must be given together, as in torch.testing.assert_close");
        }
        if (rtol == null) {
            return null;
        }
        if (!(rtol >= 0 && atol >= 0) || rtol.isInfinite() || atol.isInfinite()) {
            throw FocalException.usage("--rtol and --atol must be finite numbers >= 0, not " + rtol + " and " + atol);
        }
        return new Tolerance(rtol, atol);
    }

    private void checkJunit(TensorRef... inputs) {
        if (junit == null) {
            return;
        }
        AtomicFile.checkWritable(junit);
        for (TensorRef in : inputs) {
            if (sameFile(in.path(), junit)) {
                throw FocalException.usage(junit + ": is an input file; refusing to overwrite it");
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to the path comparison
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
