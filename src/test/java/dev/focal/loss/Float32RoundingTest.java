package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Float32Rounding's contract (docs/accuracy.md#the-check): a double loss within the slack of a
 * float32 midpoint is decided again from the element's inputs, every other keeps its cast. The
 * doubles here are made up, at every distance from the midpoint nearest each element's exact loss
 * and on the far side of it, where the cast rounds the wrong way; the expected float32 is mpmath's
 * rounding of the exact loss (tools/oracle/rounding_oracle.py, src/test/resources/loss/rounding_slack.tsv),
 * in every range of float32: near 1, its lowest and highest normal binades, both sides of the
 * midpoint past Float.MAX_VALUE, the subnormals and the midpoint between 0 and the smallest
 * subnormal, by the exact evaluation and by the closed form.
 */
class Float32RoundingTest {
    private static final List<Row> ROWS = load("loss/rounding_slack.tsv");

    record Row(float x, float t, double gamma, double alpha, double w, double scale, double midpoint, int expected,
               int side) {
        @Override
        public String toString() {
            return String.format("x=%s t=%s gamma=%s alpha=%s w=%s scale=%s midpoint %s", x, t, gamma, alpha,
                    Double.toHexString(w), scale, Double.toHexString(midpoint));
        }

        /** The double j ulps from the midpoint on the side away from the exact loss. */
        double farSide(long j) {
            long away = -side * j; // in magnitude, which the bits order whatever the sign
            return Double.longBitsToDouble(Double.doubleToRawLongBits(midpoint) + away);
        }
    }

    /**
     * Within the slack every made-up double gives mpmath's float32; just beyond it, its own cast,
     * which is the neighbour on the wrong side. In float32's subnormal range the test compares the
     * distance with |d| (slack + 1) 2^-52, between slack + 1 and 2 (slack + 1) ulps of d.
     */
    @Test
    void aDoubleWithinTheSlackOfAMidpointIsDecidedFromTheInputs() {
        List<String> failures = new ArrayList<>();
        int decided = 0;
        for (Row r : ROWS) {
            long slack = Float32Rounding.slackUlps(r.gamma);
            boolean subnormal = Math.abs(r.midpoint) < 0x1p-126;
            long lastDecided = subnormal ? slack + 1 : slack;
            long firstCast = subnormal ? 2 * slack + 4 : slack + 1;
            long[] distances = {0, 1, 2, slack / 2, lastDecided - 1, lastDecided, firstCast, firstCast + 1,
                3 * slack + 10};
            double[] loss = new double[distances.length];
            for (int k = 0; k < distances.length; k++) {
                loss[k] = r.farSide(distances[k]);
            }
            float[] block = toRows(r, loss);
            for (int k = 0; k < distances.length; k++) {
                double d = loss[k];
                int wrong = Float.floatToRawIntBits((float) d);
                if (distances[k] > 0) {
                    assertNotEquals(r.expected, wrong, "the cast must round the wrong way: " + r);
                }
                int want = distances[k] <= lastDecided ? r.expected : wrong;
                decided += distances[k] <= lastDecided ? 1 : 0;
                // At the slack's edges, the same element alone in its block: the cast's loop must flag it by itself.
                boolean edge = distances[k] == lastDecided || distances[k] == firstCast;
                float alone = edge ? toRows(r, new double[] {d})[0] : block[k];
                for (float got : new float[] {block[k], alone}) {
                    if (Float.floatToRawIntBits(got) != want) {
                        failures.add(r + ", " + distances[k] + " ulps (slack " + slack + "): " + got + ", want "
                                + Float.intBitsToFloat(want));
                    }
                }
            }
        }
        assertTrue(ROWS.size() >= 50 && decided >= 300, ROWS.size() + " rows, " + decided + " decided");
        assertTrue(failures.isEmpty(), failures.size() + " wrong:\n" + String.join("\n", failures));
    }

    /** The element's own inputs decide it: the fixture covers every range and both paths. */
    @Test
    void theFixtureCoversEveryRangeOfFloat32() {
        assertTrue(ROWS.stream().anyMatch(r -> r.expected == 0x7f800000), "rounds to infinity");
        assertTrue(ROWS.stream().anyMatch(r -> r.expected == 0x7f7fffff), "rounds to Float.MAX_VALUE");
        assertTrue(ROWS.stream().anyMatch(r -> r.expected == 0), "rounds to 0");
        assertTrue(ROWS.stream().anyMatch(r -> r.expected == 1), "rounds to the smallest subnormal");
        assertTrue(ROWS.stream().anyMatch(r -> Math.abs(r.midpoint) >= 0x1p-126 && Math.abs(r.midpoint) < 0x1p-125));
        assertTrue(ROWS.stream().anyMatch(r -> r.midpoint < 0), "a negative weight");
        assertTrue(ROWS.stream().anyMatch(r -> Math.abs(r.x) > 5000 && Float32Rounding.closedForm(r.x, r.t, r.w,
                r.gamma, r.alpha, r.scale) == Float.intBitsToFloat(r.expected)), "the closed form beyond the exact evaluation");
    }

    /**
     * Losses held class by class come out by rows, each its own cast unless it is near a midpoint;
     * NaN of any sign and payload comes out as numpy's NaN (0x7fc00000), the other elements of its
     * block as they were.
     */
    @Test
    void theBlockComesOutByRowsWithNaNAsNumpysNaN() {
        int rows = 4;
        int classes = 3;
        double[] loss = new double[rows * classes];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = 0.1 * (i + 1);
        }
        loss[5] = Double.longBitsToDouble(0xfff0000000000001L); // a signalling NaN with the sign bit
        loss[7] = Double.longBitsToDouble(0x7ff8000000000abcL);
        double[] zero = new double[loss.length];
        float[] dst = new float[loss.length];
        Float32Rounding.toRows(loss, zero, zero, zero, rows, classes, 2, 0.25, 1, Float32Rounding.slackUlps(2), dst);
        for (int c = 0; c < classes; c++) {
            for (int r = 0; r < rows; r++) {
                double d = loss[c * rows + r];
                int want = d != d ? 0x7fc00000 : Float.floatToRawIntBits((float) d);
                assertEquals(want, Float.floatToRawIntBits(dst[r * classes + c]), "class " + c + ", row " + r);
            }
        }
    }

    /**
     * The closed form (docs/accuracy.md#the-closed-form) on hard targets at |x| > 20.8 placed at its
     * edges (tools/oracle/rounding_oracle.py, loss/closed_form.tsv): P at a midpoint with gamma
     * around 1/|x|, where rho's sign meets its E^2 terms and c's rounding; P a few ulps on either
     * side of where rho P reaches the nearest midpoint; rho P beyond the spacing; negative weights,
     * a 1 - alpha that is not a double, a subnormal and an overflowing product. Whatever it decides
     * is mpmath's rounding, and it decides every element that the documented bounds decide with 1%
     * to spare (the fixture's flag, computed by the oracle from those bounds).
     */
    @Test
    void theClosedFormDecidesWhatItsBoundsAllowAndNothingWrongly() {
        List<String> failures = new ArrayList<>();
        int decided = 0;
        int undecided = 0;
        for (String[] c : Fixtures.tsv("loss/closed_form.tsv")) {
            float x = Float.intBitsToFloat(Integer.parseUnsignedInt(c[0], 16));
            double t = Double.parseDouble(c[1]);
            double gamma = Double.parseDouble(c[2]);
            double alpha = Double.parseDouble(c[3]);
            double w = Double.parseDouble(c[4]);
            double scale = Double.parseDouble(c[5]);
            int expected = Integer.parseUnsignedInt(c[6], 16);
            float got = Float32Rounding.closedForm(x, t, w, gamma, alpha, scale);
            String row = c[8] + " x=" + x + " t=" + t + " gamma=" + c[2] + " alpha=" + alpha + " w=" + c[4] + " scale="
                    + c[5];
            if (got != got) {
                undecided++;
                if (c[7].equals("1")) {
                    failures.add(row + ": undecided, want " + Float.intBitsToFloat(expected));
                }
            } else {
                decided++;
                if (Float.floatToRawIntBits(got) != expected) {
                    failures.add(row + ": " + got + ", want " + Float.intBitsToFloat(expected));
                }
            }
        }
        assertTrue(decided >= 80 && undecided >= 200, decided + " decided, " + undecided + " not");
        assertTrue(failures.isEmpty(), failures.size() + " wrong:\n" + String.join("\n", failures));
    }

    /** The slack of docs/accuracy.md#the-check: 48 + 20 |gamma| double ulps, all of them past 2^27. */
    @Test
    void theSlackIsTheDocumentedOne() {
        assertEquals(48, Float32Rounding.slackUlps(0));
        assertEquals(58, Float32Rounding.slackUlps(0.5));
        assertEquals(88, Float32Rounding.slackUlps(2));
        assertEquals(88, Float32Rounding.slackUlps(-2));
        assertEquals(1L << 28, Float32Rounding.slackUlps(1e7));
    }

    /** A gamma whose slack would reach the midpoints' own spacing looks at every element. */
    @Test
    void aHugeGammaLooksAtEveryElement() {
        long slack = Float32Rounding.slackUlps(1e9);
        // q = sigmoid(x) < 0.96 for t = 0, so q^(1e9) and the exact loss are far below 2^-150: 0.
        float[] dst = new float[3];
        double[] x = {1.7, -2.5, 3.1};
        Float32Rounding.toRows(new double[] {0.37, 1e-3, 2.5e20}, x, new double[3], new double[] {1, 2, 3}, 3, 1, 1e9,
                0.25, 1, slack, dst);
        assertEquals("[0.0, 0.0, 0.0]", Arrays.toString(dst));
    }

    private static float[] toRows(Row r, double[] loss) {
        int n = loss.length;
        double[] x = new double[n];
        double[] t = new double[n];
        double[] w = new double[n];
        Arrays.fill(x, r.x);
        Arrays.fill(t, r.t);
        Arrays.fill(w, r.w);
        float[] dst = new float[n];
        Float32Rounding.toRows(loss, x, t, w, n, 1, r.gamma, r.alpha, r.scale, Float32Rounding.slackUlps(r.gamma), dst);
        return dst;
    }

    private static List<Row> load(String resource) {
        List<Row> rows = new ArrayList<>();
        for (String[] c : Fixtures.tsv(resource)) {
            rows.add(new Row(Float.intBitsToFloat(Integer.parseUnsignedInt(c[0], 16)), Float.parseFloat(c[1]),
                    Double.parseDouble(c[2]), Double.parseDouble(c[3]), Double.parseDouble(c[4]),
                    Double.parseDouble(c[5]), Double.parseDouble(c[6]), Integer.parseUnsignedInt(c[7], 16),
                    Integer.parseInt(c[8])));
        }
        return rows;
    }
}
