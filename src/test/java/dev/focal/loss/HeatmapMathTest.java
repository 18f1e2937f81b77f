package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
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
        // Gaussian's peak far below: -log(low + eps) (1 - low)^2, eps the float32 1e-12.
        HeatmapMath g = HeatmapMath.gaussian(true);
        assertEquals(-Math.log(low + (float) 1e-12) * (1 - low) * (1 - low), loss(g, -30, 1), 1e-15);
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

    /**
     * The modulating factor, which the summary's focal means read: p^a (1-t)^g on a clamped
     * background element, (1-p)^a on a peak; and a peak's loss has no negative term even where
     * (1 - t)^gamma is 1 (gamma 0): CenterNet's mask t < 1 takes it out.
     */
    @Test
    void theFactorAndThePeaksMask() {
        HeatmapMath m = HeatmapMath.centerNet(true);
        double[] loss = new double[2];
        double[] factor = new double[2];
        m.evaluate(new double[] {-30, 30}, new double[] {0.5, 1}, null, 2, 4, 2, loss, factor);
        assertEquals(m.low() * m.low() * 0.0625, factor[0], 0);
        assertEquals((1 - m.high()) * (1 - m.high()), factor[1], 0);
        m.evaluate(new double[] {0, 0}, new double[] {1, 1}, null, 2, 0, 2, loss, factor);
        // p = 1/2: -log(1/2) (1/2)^2, the peak term alone.
        assertEquals(Math.log(2) * 0.25, loss[0], 1e-16);
        assertEquals(0.25, factor[0], 1e-16);
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

    /**
     * Every element of the heatmap oracle's cases (tools/oracle/heatmap_oracle.py: the exact loss
     * and gradient of the float32 inputs, with float32's clamp bounds and eps, times the loss
     * weight), in double: the loss within 1e-13 of the exact value relative to it, the gradient
     * within 1e-12 (the kernel's exp and log1p are within 2 double ulps; Gaussian's eps of 1e-12
     * moves either by far more than this near the clamp).
     */
    @Test
    void everyElementOfTheOraclesCasesIsWithinDoublePrecisionOfExact() throws IOException {
        Path dir = Path.of("src/test/resources/heatmap");
        JsonNode index = JsonMapper.builder().build().readTree(dir.resolve("index.json").toFile());
        double worstLoss = 0;
        double worstGrad = 0;
        int elements = 0;
        for (JsonNode c : index.get("cases")) {
            Path d = dir.resolve(c.get("name").asText());
            HeatmapMath m = c.get("args").toString().contains("gaussian") ? HeatmapMath.gaussian(true)
                    : HeatmapMath.centerNet(true);
            double weight = c.get("loss_weight").asDouble();
            Tensor x = npy(d.resolve("logits.npy"));
            Tensor t = npy(d.resolve("targets.npy"));
            Tensor exact = npy(d.resolve("exact.npy"));
            Tensor grad = npy(d.resolve("grad.npy"));
            int n = Math.toIntExact(x.count());
            double[] xs = new double[n];
            double[] ts = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = x.getDouble(i);
                ts[i] = t.getDouble(i);
            }
            double[] loss = new double[n];
            m.evaluate(xs, ts, null, n, 4, 2, loss, new double[n]);
            for (int i = 0; i < n; i++) {
                worstLoss = Math.max(worstLoss, relative(loss[i] * weight, exact.getDouble(i)));
                worstGrad = Math.max(worstGrad, relative(m.gradient(xs[i], ts[i], 4, 2) * weight, grad.getDouble(i)));
            }
            elements += n;
        }
        assertTrue(elements > 1000, "elements: " + elements);
        assertTrue(worstLoss <= 1e-13, "loss: " + worstLoss);
        // The gradient's two terms cancel near its zero: 1e-12 there.
        assertTrue(worstGrad <= 1e-12, "gradient: " + worstGrad);
    }

    private static double relative(double ours, double exact) {
        return exact == 0 ? Math.abs(ours) : Math.abs(ours - exact) / Math.abs(exact);
    }

    private static Tensor npy(Path p) {
        try (TensorFile f = TensorIO.open(p.toString())) {
            return f.get(null);
        }
    }
}
