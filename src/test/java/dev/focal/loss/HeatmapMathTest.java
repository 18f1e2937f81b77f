package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * HeatmapMath at the edges the oracle's random cases may miss (docs/semantics.md#heatmap-losses):
 * the clamp bounds, NaN, and the masks. Expected values are closed forms.
 */
class HeatmapMathTest {
    private static double loss(HeatmapMath m, double x, double t) {
        double[] loss = new double[1];
        m.evaluate(new double[] {x}, new double[] {t}, null, 1, 4, 2, loss, new double[1]);
        return loss[0];
    }

    @Test
    void boundsAreTheFloat32ValuesForFloat32Logits() {
        assertEquals(9.999999747378752E-5, HeatmapMath.centerNet(true).low());
        assertEquals(0.9998999834060669, HeatmapMath.centerNet(true).high());
        assertEquals(1e-4, HeatmapMath.centerNet(false).low());
        assertEquals(1 - 1e-4, HeatmapMath.gaussian(false).high());
    }

    @Test
    void clippedElementsHaveTheBoundsLossAndNoGradient() {
        HeatmapMath m = HeatmapMath.centerNet(true);
        double low = m.low();
        // A background element far below: -log(1 - low) * low^2.
        assertEquals(-Math.log(1 - low) * low * low, loss(m, -30, 0), 0);
        // A peak far above: -log(high) * (1 - high)^2.
        double high = m.high();
        assertEquals(-Math.log(high) * (1 - high) * (1 - high), loss(m, 30, 1), 0);
        assertEquals(0, m.gradient(-30, 0, 4, 2));
        assertEquals(0, m.gradient(30, 1, 4, 2));
        // torch 1.13: x = NaN through clamp(sigmoid(x), 1e-4, 1 - 1e-4) has gradient NaN.
        assertTrue(Double.isNaN(m.gradient(Double.NaN, 0, 4, 2)));
    }

    @Test
    void nanPropagatesAsTheReferencesProducts() {
        assertTrue(Double.isNaN(loss(HeatmapMath.centerNet(true), Double.NaN, 0)));
        assertTrue(Double.isNaN(loss(HeatmapMath.centerNet(true), 0.5, Double.NaN)));
        assertTrue(Double.isNaN(loss(HeatmapMath.gaussian(true), 0.5, Double.NaN)));
        // Infinite logits are clamped: finite loss.
        assertTrue(Double.isFinite(loss(HeatmapMath.gaussian(true), Double.POSITIVE_INFINITY, 0)));
    }

    @Test
    void centerNetMasksTargetsAboveOneAndGaussianDoesNot() {
        // t = 2: CenterNet's neg mask (t < 1) is 0; the Gaussian loss weighs (1 - t)^4 = 1.
        assertEquals(0, loss(HeatmapMath.centerNet(true), 0, 2));
        double p = 0.5;
        assertEquals(-Math.log(1 - p + (float) 1e-12) * p * p, loss(HeatmapMath.gaussian(true), 0, 2), 1e-16);
    }

    @Test
    void gradientMatchesTheSlopeOfTheLoss() {
        HeatmapMath centerNet = HeatmapMath.centerNet(false);
        for (HeatmapMath m : new HeatmapMath[] {centerNet, HeatmapMath.gaussian(false)}) {
            for (double t : new double[] {0, 0.3, 1}) {
                for (double x : new double[] {-5, -1, 0.2, 3}) {
                    double h = 1e-6;
                    double slope = (loss(m, x + h, t) - loss(m, x - h, t)) / (2 * h);
                    assertEquals(slope, m.gradient(x, t, 4, 2), 1e-7 * Math.max(1, Math.abs(slope)),
                            (m == centerNet ? "centernet" : "gaussian") + " t=" + t + " x=" + x);
                }
            }
        }
    }
}
