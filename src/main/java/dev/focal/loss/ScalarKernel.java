package dev.focal.loss;

/** A kernel that is one function over a range of elements, as FocalMath's and PolynomialMath's are. */
final class ScalarKernel implements LossKernel {
    /** The signature of {@link FocalMath#evaluate} and {@link PolynomialMath#evaluate}. */
    interface RangeFunction {
        void evaluate(double[] x, double[] t, double[] w, int from, int to, double gamma, double alpha,
                      double[] loss, double[] focal);
    }

    private final String name;
    private final RangeFunction function;

    ScalarKernel(String name, RangeFunction function) {
        this.name = name;
        this.function = function;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void evaluate(double[] x, double[] t, double[] w, int n, double gamma, double alpha, double[] loss,
                         double[] focal) {
        function.evaluate(x, t, w, 0, n, gamma, alpha, loss, focal);
    }
}
