package dev.focal.loss;

import dev.focal.stats.AnchorBlock;
import dev.focal.stats.BlockSums;
import dev.focal.tensor.Transposer;

/**
 * Chooses the loss kernel at run time, as Lucene's vectorization provider does. float64 outputs
 * get FocalMath's scalar kernel, whose 16-ulp bound the tests prove. float32 outputs (held to
 * 1 ulp) get the polynomial kernels, which are faster and keep that bound with a wide margin:
 * the vector kernel when the JVM runs with {@code --add-modules jdk.incubator.vector} (the
 * launcher adds it for inputs of 512 MiB or more) and {@link WarmUp} has seen it compiled, its
 * bit-identical scalar twin before that and without the module. The user's wish
 * ({@code FOCAL_KERNEL}, which the command line reads) overrides the choice: {@code scalar}
 * (FocalMath), {@code polynomial}, {@code vector} (from the first block, compiled or not) or
 * {@code auto}; any other word counts as {@code auto}.
 */
public final class Kernels {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Kernels() {
    }

    /** The kernel for an output of float32 or float64, given the user's wish in lower case. */
    public static LossKernel choose(boolean float32Output, String wish) {
        boolean forced = wish.equals("polynomial") || wish.equals("vector");
        if (wish.equals("scalar") || !float32Output && !forced) {
            return LossKernel.SCALAR;
        }
        LossKernel vector = wish.equals("polynomial") ? null : vector();
        if (vector == null) {
            return LossKernel.POLYNOMIAL;
        }
        return wish.equals("vector") ? vector : onceCompiled(vector);
    }

    /** The vector kernel for the blocks that start after WarmUp has seen it compiled, its twin before. */
    private static LossKernel onceCompiled(LossKernel vector) {
        return new LossKernel() {
            @Override
            public String name() {
                return vector.name() + " once compiled, polynomial before";
            }

            /** The kernel for the next call: a block's calls may straddle the switch, the two agree bit for bit. */
            private LossKernel now() {
                return WarmUp.vectorReady() ? vector : LossKernel.POLYNOMIAL;
            }

            @Override
            public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                                 double[] focal) {
                now().evaluate(x, t, w, n, gamma, alpha, loss, focal);
            }

            @Override
            public void sumAnchors(BlockSums sums, AnchorBlock block, int from, int to) {
                now().sumAnchors(sums, block, from, to);
            }

            @Override
            public Transposer transposer() {
                return new Transposer() {
                    @Override
                    public void toColumns(float[] src, int rows, int width, double[] columns) {
                        now().transposer().toColumns(src, rows, width, columns);
                    }

                    @Override
                    public void toRows(double[] columns, int rows, int width, float[] dst) {
                        now().transposer().toRows(columns, rows, width, dst);
                    }
                };
            }
        };
    }

    /** The vector kernel, or null when this JVM runs without the incubating module. */
    public static LossKernel vector() {
        return VectorHolder.KERNEL;
    }

    /**
     * Whether the JVM runs with the module. Not ModuleLayer.findModule: for an absent module it
     * searches the parent layers with a stream pipeline, whose lambdas are spun at first use, in
     * every start-up without the module.
     */
    private static boolean inBootLayer(String module) {
        for (Module m : ModuleLayer.boot().modules()) {
            if (m.getName().equals(module)) {
                return true;
            }
        }
        return false;
    }

    /** Looks the vector kernel up once, when first asked for (class initialisation is lazy and thread-safe). */
    private static final class VectorHolder {
        static final LossKernel KERNEL = load();

        private static LossKernel load() {
            if (!inBootLayer(VECTOR_MODULE)) {
                return null;
            }
            try {
                return (LossKernel) Class.forName("dev.focal.loss.vector.VectorKernel").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
