package dev.focal.loss;

/**
 * The vector kernel's scalar twin, {@link LossMath#POLYNOMIAL}: {@link PolynomialMath#evaluate}
 * over the whole block.
 */
final class PolynomialKernel implements LossMath {
    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        PolynomialMath.evaluate(x, t, w, 0, n, gamma, alpha, loss, focal);
    }
}
