package dev.focal.loss;

/** The scalar reference kernel, {@link LossMath#SCALAR}: {@link FocalMath#evaluate} over the whole block. */
final class FocalMathKernel implements LossMath {
    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        FocalMath.evaluate(x, t, w, 0, n, gamma, alpha, loss, focal);
    }
}
