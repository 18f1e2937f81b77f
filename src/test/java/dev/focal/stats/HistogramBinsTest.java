package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The report's bins (Histograms' class comment): a loss's half-octave, [2^e, 1.5 * 2^e) and
 * [1.5 * 2^e, 2^(e+1)), from 2^-60 to 2^10, and x_t's quarter from -16 to 16; beyond both ends,
 * the end bins. Each bin's lower edge falls in it, and what lies below in the bin before.
 */
class HistogramBinsTest {
    @Test
    void everyLossBinHoldsItsLowerEdgeAndTheDoubleBelowIsInTheOneBefore() {
        assertEquals(140, Histograms.LOSS_BINS);
        for (int b = 0; b < Histograms.LOSS_BINS; b++) {
            double edge = Histograms.lossEdge(b);
            assertEquals(Math.scalb(b % 2 == 0 ? 1.0 : 1.5, b / 2 - 60), edge, 0, "edge of bin " + b);
            assertEquals(b, Histograms.lossBin(edge), "edge of bin " + b);
            assertEquals(Math.max(b - 1, 0), Histograms.lossBin(Math.nextDown(edge)), "below bin " + b);
        }
        assertEquals(0, Histograms.lossBin(Double.MIN_VALUE), "below 2^-60");
        assertEquals(139, Histograms.lossBin(0x1p10), "2^10 and beyond");
        assertEquals(139, Histograms.lossBin(Double.MAX_VALUE), "2^10 and beyond");
    }

    @Test
    void everyLogitBinHoldsItsLowerEdgeAndWhatIsBelowIsInTheOneBefore() {
        assertEquals(128, Histograms.LOGIT_BINS);
        for (int b = 0; b < Histograms.LOGIT_BINS; b++) {
            double edge = Histograms.logitEdge(b);
            assertEquals(-16 + b * 0.25, edge, 0, "edge of bin " + b);
            assertEquals(b, Histograms.logitBin(edge), "edge of bin " + b);
            // Not the double below: x_t + 16 rounds, and an x_t an ulp below an edge may reach it.
            assertEquals(Math.max(b - 1, 0), Histograms.logitBin(edge - 0.125), "below bin " + b);
        }
        assertEquals(127, Histograms.logitBin(16), "16 and beyond");
        assertEquals(127, Histograms.logitBin(Double.POSITIVE_INFINITY), "16 and beyond");
        assertEquals(0, Histograms.logitBin(Double.NEGATIVE_INFINITY), "below -16");
    }
}
