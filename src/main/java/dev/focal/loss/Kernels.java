package dev.focal.loss;

import dev.focal.stats.AnchorBlock;
import dev.focal.stats.AnchorSums;
import dev.focal.stats.BlockSums;
import dev.focal.tensor.Transposer;

/**
 * The kernels of one evaluation, chosen once, as Lucene's vectorization provider chooses its
 * implementations: the loss math, the per-anchor sums and the transposition, with the choice and
 * its reason for {@code --debug}. float64 outputs get FocalMath's scalar kernel, whose 16-ulp bound
 * the tests prove. float32 outputs (held to 1 ulp) get the polynomial kernels, which are faster
 * and keep that bound with a wide margin: the vector kernels when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the launcher adds it for eval inputs of 512 MiB or
 * more), else their bit-identical scalar twins. The user's wish ({@code FOCAL_KERNEL}) overrides
 * the choice: {@code scalar} (FocalMath), {@code polynomial}, {@code vector} or {@code auto}; any
 * other word counts as {@code auto}.
 * <p>
 * Vector code runs hundreds of times slower than scalar code until the JIT has compiled it, so
 * under {@code auto} the vector kernels take only the blocks that start after {@link WarmUp} has
 * seen them compiled, and their twins the blocks before: 18% faster than the vector kernels from
 * the first block on a 50M-element run (docs/internals.md#jit-options). Which took which block
 * never shows in the results.
 */
public final class Kernels {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final Kernels SCALAR = new Kernels("scalar", LossMath.SCALAR, AnchorSums.SCALAR, Transposer.SCALAR);
    private static final Kernels POLYNOMIAL =
            new Kernels("polynomial", LossMath.POLYNOMIAL, AnchorSums.SCALAR, Transposer.SCALAR);

    private final String name;
    private final String reason;
    private final LossMath math;
    private final AnchorSums sums;
    private final Transposer transposer;

    private Kernels(String name, LossMath math, AnchorSums sums, Transposer transposer) {
        this(name, "", math, sums, transposer);
    }

    private Kernels(String name, String reason, LossMath math, AnchorSums sums, Transposer transposer) {
        this.name = name;
        this.reason = reason;
        this.math = math;
        this.sums = sums;
        this.transposer = transposer;
    }

    /** The kernels for an output of float32 or float64, given the user's wish in lower case. */
    public static Kernels choose(boolean float32Output, String wish) {
        switch (wish) {
            case "scalar":
                return SCALAR.because("FOCAL_KERNEL=scalar");
            case "polynomial":
                return POLYNOMIAL.because("FOCAL_KERNEL=polynomial");
            case "vector":
                Kernels vector = vector();
                return vector != null ? vector.because("FOCAL_KERNEL=vector")
                        : POLYNOMIAL.because("FOCAL_KERNEL=vector, but " + VECTOR_MODULE + " is not loaded");
            default:
                if (!float32Output) {
                    return SCALAR.because("float64 output");
                }
                Kernels loaded = vector();
                return loaded != null ? onceCompiled(loaded).because("float32 output, " + VECTOR_MODULE + " loaded")
                        : POLYNOMIAL.because("float32 output, " + VECTOR_MODULE + " not loaded");
        }
    }

    /** The scalar reference kernels, FocalMath's. */
    public static Kernels scalar() {
        return SCALAR;
    }

    /** The vector kernels' scalar twins. */
    public static Kernels polynomial() {
        return POLYNOMIAL;
    }

    /** The vector kernels, or null when this JVM runs without the incubating module. */
    public static Kernels vector() {
        return VectorHolder.KERNELS;
    }

    public LossMath math() {
        return math;
    }

    public AnchorSums sums() {
        return sums;
    }

    public Transposer transposer() {
        return transposer;
    }

    /** The kernels' name and why they were chosen: {@code vector (4 x double) ...: float32 output, ...}. */
    @Override
    public String toString() {
        return reason.isEmpty() ? name : name + ": " + reason;
    }

    private Kernels because(String why) {
        return new Kernels(name, why, math, sums, transposer);
    }

    /** The vector kernels for the blocks that start after WarmUp has seen them compiled, their twins before. */
    private static Kernels onceCompiled(Kernels vector) {
        LossMath math = new LossMath() {
            @Override
            public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                                 double[] focal) {
                (WarmUp.vectorReady() ? vector.math : LossMath.POLYNOMIAL).evaluate(x, t, w, n, gamma, alpha, loss,
                        focal);
            }
        };
        AnchorSums sums = new AnchorSums() {
            @Override
            public void sum(BlockSums into, AnchorBlock block, int from, int to) {
                (WarmUp.vectorReady() ? vector.sums : AnchorSums.SCALAR).sum(into, block, from, to);
            }
        };
        // A block's calls may straddle the switch: the two agree bit for bit.
        Transposer transposer = new Transposer() {
            @Override
            public void toColumns(float[] src, int rows, int width, double[] columns) {
                (WarmUp.vectorReady() ? vector.transposer : Transposer.SCALAR).toColumns(src, rows, width, columns);
            }

            @Override
            public void toRows(double[] columns, int rows, int width, float[] dst) {
                (WarmUp.vectorReady() ? vector.transposer : Transposer.SCALAR).toRows(columns, rows, width, dst);
            }
        };
        return new Kernels(vector.name + " once compiled, polynomial before", math, sums, transposer);
    }

    /**
     * Whether the JVM runs with the module. Not ModuleLayer.findModule: for an absent module it
     * searches the parent layers with a stream pipeline, whose lambdas are spun at first use, in
     * every start-up without the module.
     */
    static boolean inBootLayer(String module) {
        for (Module m : ModuleLayer.boot().modules()) {
            if (m.getName().equals(module)) {
                return true;
            }
        }
        return false;
    }

    /** Looks the vector kernels up once, when first asked for (class initialisation is lazy and thread-safe). */
    private static final class VectorHolder {
        static final Kernels KERNELS = load();

        private static Kernels load() {
            if (!inBootLayer(VECTOR_MODULE)) {
                return null;
            }
            try {
                Object kernel = Class.forName("dev.focal.loss.vector.VectorKernel").getDeclaredConstructor().newInstance();
                Object transposer =
                        Class.forName("dev.focal.loss.vector.VectorTransposer").getDeclaredConstructor().newInstance();
                return new Kernels(kernel.toString(), (LossMath) kernel, (AnchorSums) kernel, (Transposer) transposer);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
