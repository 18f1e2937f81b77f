package dev.focal.loss;

/**
 * The vector kernel's scalar twin, {@link LossKernel#POLYNOMIAL}: {@link PolynomialMath#evaluate}
 * over the whole block.
 */
final class PolynomialKernel implements LossKernel {
    @Override
    public String name() {
        return "polynomial";
    }

    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        PolynomialMath.evaluate(x, t, w, 0, n, gamma, alpha, loss, focal);
    }
}
