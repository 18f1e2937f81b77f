package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The losses --loss names, with the references' defaults (docs/semantics.md#heatmap-losses):
 * OpenPCDet's SigmoidFocalClassificationLoss (gamma 2, alpha 0.25), and the heatmap losses'
 * exponents, neg_loss_cornernet's and mmdet's GaussianFocalLoss's (gamma 4, alpha 2).
 */
class LossFunctionTest {

    @Test
    void namesDefaultsAndMath() {
        assertEquals(LossFunction.SIGMOID_FOCAL, LossFunction.byName("sigmoid-focal"));
        assertEquals(LossFunction.CENTERNET, LossFunction.byName("centernet"));
        assertEquals(LossFunction.GAUSSIAN, LossFunction.byName("gaussian"));
        assertNull(LossFunction.byName("focal"));
        assertEquals("sigmoid-focal centernet gaussian", String.join(" ", LossFunction.SIGMOID_FOCAL.cliName(),
                LossFunction.CENTERNET.cliName(), LossFunction.GAUSSIAN.cliName()));
        assertEquals(2.0, LossFunction.SIGMOID_FOCAL.defaultGamma());
        assertEquals(0.25, LossFunction.SIGMOID_FOCAL.defaultAlpha());
        for (LossFunction f : new LossFunction[] {LossFunction.CENTERNET, LossFunction.GAUSSIAN}) {
            assertEquals(4.0, f.defaultGamma());
            assertEquals(2.0, f.defaultAlpha());
            assertTrue(f.heatmap());
            assertEquals((float) 1e-4, f.heatmapMath(true).low());
            assertEquals(1e-4, f.heatmapMath(false).low());
        }
        assertFalse(LossFunction.SIGMOID_FOCAL.heatmap());
        assertNull(LossFunction.SIGMOID_FOCAL.heatmapMath(true));
        // CenterNet masks a target above 1 out of the negative term, the Gaussian loss does not.
        double[] loss = new double[1];
        LossFunction.CENTERNET.heatmapMath(false).evaluate(new double[] {0}, new double[] {2}, null, 1, 4, 2, loss,
                new double[1]);
        assertEquals(0.0, loss[0]);
        LossFunction.GAUSSIAN.heatmapMath(false).evaluate(new double[] {0}, new double[] {2}, null, 1, 4, 2, loss,
                new double[1]);
        assertTrue(loss[0] > 0.17, "gaussian: " + loss[0]);
        assertSame(LossFunction.SIGMOID_FOCAL, LossFunction.valueOf("SIGMOID_FOCAL"));
    }
}
