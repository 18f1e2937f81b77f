package dev.focal.loss;

import java.util.Locale;

/**
 * Chooses the loss kernel at run time, as Lucene's vectorization provider does: the vector
 * kernel when the JVM was started with {@code --add-modules jdk.incubator.vector} (the launcher
 * adds it for inputs of 16 MiB or more, and {@link WarmUp} compiles it meanwhile) and the work
 * is that big, else the scalar one. The vector kernel is only used for float32 outputs: they
 * are held to 1 ulp, which its lanes keep with a wide margin, while float64 outputs (16 ulps)
 * keep the scalar kernel's proven bound. {@code FOCAL_KERNEL=scalar|vector|auto} overrides the
 * choice.
 */
public final class Kernels {
    /** 16 MiB of float32 logits, the launcher's threshold for loading the vector module. */
    static final long VECTOR_MIN_ELEMENTS = 1 << 22;
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Kernels() {
    }

    public static LossKernel choose(boolean float32Output, long elements) {
        String wish = System.getenv().getOrDefault("FOCAL_KERNEL", "auto").toLowerCase(Locale.ROOT);
        boolean wanted = wish.equals("vector")
                || (wish.equals("auto") && float32Output && elements >= VECTOR_MIN_ELEMENTS);
        LossKernel vector = wanted ? vector() : null;
        return vector != null ? vector : LossKernel.SCALAR;
    }

    /** The vector kernel, or null when this JVM runs without the incubating module. */
    static LossKernel vector() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return null;
        }
        try {
            return (LossKernel) Class.forName("dev.focal.loss.vector.VectorKernel").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
