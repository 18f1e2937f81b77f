package dev.focal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of each kind of run, in the one place that knows which methods are hot. The
 * build writes each profile to {@code target/jvm/NAME.args} ({@link #main}); bin/focal picks one
 * by the verb and the largest input's size and runs {@code java @FILE}, so the launcher names no
 * Java method and the options are not spread over a shell script. An option stays here only while
 * an alternated measurement shows that it pays, at least 5% of a run's wall time; the figures, and
 * how to measure them again, are in docs/internals.md#jit-options. The JVM is told to be quiet about
 * the method patterns (a pattern that matches nothing is no error to it), so {@code JvmProfileTest}
 * checks that every method named here exists.
 */
public enum JvmProfile {
    /**
     * Every input under 32 MiB, any verb: the quick compiler (C1) alone, as such a run ends before
     * the optimising compiler's code would repay the core it takes to make it; and C1 compiles the
     * pass's methods, the accumulator's and the block loop after a fiftieth of the usual calls, so
     * that the first blocks do not run interpreted.
     */
    SMALL(concat(List.of("-XX:TieredStopAtLevel=1", "-XX:CompileCommand=quiet"),
            compileEarly(concat(Parts.PASS, List.of("dev.focal.stats.LossAccumulator::*",
                    "dev.focal.loss.FocalEvaluation$Worker::block")), "0.02"))),
    /**
     * eval on bigger inputs, with the scalar kernels. The pass's methods are compiled by C2 early (a
     * thirtieth of the usual invocations) with the worker that asks waiting for them (instead of
     * running profiled code meanwhile), each on its own (not inlined into the block loop, whose
     * compilation would otherwise be the run's costliest); a side thread runs them during start-up
     * ({@link dev.focal.loss.WarmUp#WARM_SCALAR}). No compilation of running loops (OSR): a
     * block's loop is short, and those compilations queued before the methods'.
     */
    EVAL(concat(List.of(Parts.NO_OSR, "-XX:CompileCommand=quiet", "-D" + dev.focal.loss.WarmUp.WARM_SCALAR + "=true"),
            compileEarly(Parts.PASS, "0.03", "BackgroundCompilation,%s,false", "dontinline,%s"))),
    /**
     * Inputs of 512 MiB or more: the incubating Vector API, whose kernel repays the core-second its
     * compilation takes only on such inputs. Its methods are compiled after a hundredth of the
     * usual invocations: until then vector code runs hundreds of times slower than scalar code.
     */
    VECTOR(concat(List.of("--add-modules", "jdk.incubator.vector", Parts.NO_OSR, "-XX:CompileCommand=quiet"),
            compileEarly(Parts.VECTOR, "0.01"))),
    /** Other verbs on bigger inputs: the JVM's defaults (they may run one long loop, which needs OSR). */
    OTHER();

    private final List<String> options;

    JvmProfile(String... options) {
        this(List.of(options));
    }

    JvmProfile(List<String> options) {
        this.options = concat(Parts.COMMON, options);
    }

    /** The options, one argument each, in the order java gets them. */
    public List<String> options() {
        return options;
    }

    /** The file name the build writes the profile to: {@code small.args}, ... */
    String fileName() {
        return name().toLowerCase(java.util.Locale.ROOT) + ".args";
    }

    /**
     * Writes every profile into the folder {@code args[0]}, one option a line (the quoting rules of
     * java's argument files: no option here holds a space or a quote).
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Paths.get(args[0]));
        for (JvmProfile p : values()) {
            Files.write(dir.resolve(p.fileName()), p.options, StandardCharsets.UTF_8);
        }
    }

    /**
     * The profiles' parts, in a class of their own: an enum's constants are made before its static
     * fields are set. Methods are CompileCommand patterns ({@code Class::method}, {@code *} for all
     * of a class's).
     */
    static final class Parts {
        /**
         * Options every profile has: the serial collector suits a process whose live data is a few
         * arrays; no hsperfdata file (for jps and jstat, which a run this short has no use for).
         */
        static final List<String> COMMON = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData");
        static final String NO_OSR = "-XX:Tier4BackEdgeThreshold=1000000000";
        /** The scalar pass: the loss (a heatmap loss's too), the reads, the sums, the write. */
        static final List<String> PASS = List.of("dev.focal.loss.PolynomialMath::*",
                "dev.focal.loss.HeatmapMath::evaluate", "dev.focal.stats.HeatmapSums::sum",
                "dev.focal.stats.BlockSums::prepare", "dev.focal.stats.BlockSums::addAnchors",
                "dev.focal.tensor.Tensor::readColumns", "dev.focal.tensor.Tensor::readDoubles",
                "dev.focal.tensor.ScalarTransposer::*", "dev.focal.loss.Float32Rounding::toRows",
                "dev.focal.io.OutputFile$Npy::writeFloats",
                "dev.focal.loss.FocalEvaluation$WeightCursor::read", "dev.focal.stats.ValueRange::addBounds",
                // Only with --top or a report: each block's per-element pass for them.
                "dev.focal.stats.LossAccumulator::rareCases", "dev.focal.stats.Histograms::add");
        /** The vector kernel and transposer. */
        static final List<String> VECTOR = List.of("dev.focal.loss.vector.VectorKernel::*",
                "dev.focal.loss.vector.VectorTransposer::*");

        private Parts() {
        }
    }

    /** CompileThresholdScaling at {@code scale} for each method, and each of {@code more} formats. */
    private static List<String> compileEarly(List<String> methods, String scale, String... more) {
        List<String> out = new ArrayList<>();
        for (String m : methods) {
            out.add("-XX:CompileCommand=CompileThresholdScaling," + m + "," + scale);
            for (String f : more) {
                out.add("-XX:CompileCommand=" + String.format(f, m));
            }
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
