package dev.focal.loss;

/**
 * The per-element loss and focal factor q^gamma of a block of elements. Implementations differ in
 * speed, not in meaning, and are held to the same accuracy tests: {@link #SCALAR} (FocalMath),
 * {@link #POLYNOMIAL}, and the vector kernel where the JDK's incubating Vector API is present,
 * which {@link Kernels} chooses between.
 */
public interface LossMath {
    /**
     * Elements 0..n-1. {@code loss} and {@code focal} may serve as scratch space before they
     * receive the results, so they must be arrays of their own, not {@code x}, {@code t} or {@code w}.
     */
    void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss, double[] focal);

    /** The scalar reference, {@link FocalMath#evaluate}: Math's exp and log. */
    LossMath SCALAR = new FocalMathKernel();

    /**
     * The scalar twin of the vector kernel, {@link PolynomialMath#evaluate}: bit-identical to it,
     * so that either may take any block.
     */
    LossMath POLYNOMIAL = new PolynomialKernel();
}
