package dev.focal.loss;

import dev.focal.stats.AnchorBlock;
import dev.focal.stats.BlockSums;
import dev.focal.tensor.Transposer;

/**
 * Computes the per-element loss and focal factor q^gamma of a block of elements. Implementations
 * differ in speed, not in meaning, and are held to the same accuracy tests: {@link #SCALAR}
 * (FocalMath), {@link #POLYNOMIAL}, and the vector kernel where the JDK's incubating Vector API
 * is present, which {@link Kernels} chooses between.
 */
public interface LossKernel {
    /** A short name for diagnostics: {@code scalar}, {@code vector (4 x double)}. */
    String name();

    /**
     * Elements 0..n-1. {@code loss} and {@code focal} may serve as scratch space before they
     * receive the results, so they must be arrays of their own, not {@code x}, {@code t} or {@code w}.
     */
    void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss, double[] focal);

    /**
     * Sums anchors {@code from..to-1} of the block into {@code sums}, which is clear, in the lane
     * order {@link BlockSums} defines: every kernel gives the same bits.
     */
    default void sumAnchors(BlockSums sums, AnchorBlock block, int from, int to) {
        sums.prepare(block, from, to);
        sums.addAnchors(block, from, to, from);
    }

    /**
     * Moves a block between the float32 rows it is read from and written to and its columns:
     * every transposer gives the same values.
     */
    default Transposer transposer() {
        return Transposer.SCALAR;
    }

    /** The scalar reference kernel, {@link FocalMath#evaluate}: Math's exp and log. */
    LossKernel SCALAR = new FocalMathKernel();

    /**
     * The scalar twin of the vector kernel, {@link PolynomialMath#evaluate}: bit-identical to it,
     * so that either may take any block.
     */
    LossKernel POLYNOMIAL = new PolynomialKernel();
}
