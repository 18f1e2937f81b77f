package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every kernel's float32 loss, as the pass writes it, is the correctly rounded exact value
 * (docs/accuracy.md) on the fixture of tools/rounding/decide.py: the elements of the proof's runs
 * that its reference could decide only by the closed form or by mpmath, and a sample of every
 * binade of the logit, with soft targets and weights besides. The expected bits are mpmath's.
 */
class CorrectRoundingTest {
    private static final List<Row> ROWS = load("loss/rounding_cases.tsv");

    record Row(float x, float t, double gamma, double alpha, float w, int expected) {
        @Override
        public String toString() {
            return String.format("x=%s (%08x) t=%s gamma=%s alpha=%s w=%s", x, Float.floatToRawIntBits(x), t, gamma,
                    alpha, w);
        }
    }

    @Test
    void everyKernelWritesTheCorrectlyRoundedLoss() {
        Kernels vector = Kernels.vector();
        assertNotNull(vector, "the test JVM must run with --add-modules jdk.incubator.vector");
        List<String> failures = new ArrayList<>();
        for (Kernels kernel : new Kernels[] {Kernels.scalar(), Kernels.polynomial(), vector}) {
            for (List<Row> group : byParameters()) {
                float[] out = evaluate(kernel, group);
                for (int i = 0; i < group.size(); i++) {
                    if (Float.floatToRawIntBits(out[i]) != group.get(i).expected) {
                        failures.add(kernel + " " + group.get(i) + ": " + out[i] + ", correctly rounded "
                                + Float.intBitsToFloat(group.get(i).expected));
                    }
                }
            }
        }
        assertTrue(ROWS.size() > 2000, "fixture rows: " + ROWS.size());
        assertTrue(failures.isEmpty(), failures.size() + " misrounded:\n" + String.join("\n", failures));
    }

    /** The example: the cast rounds the tie 0.75 x up, the exact loss lies below it. */
    @Test
    void aTieOfTheCastIsDecidedByTheExactLoss() {
        Row r = ROWS.stream().filter(row -> row.x == 41.40566f && row.t == 0).findFirst().orElseThrow();
        double cast = 0.75 * r.x;
        assertEquals(0, Float32Rounding.midpointGap(cast), "0.75 x is a float32 midpoint");
        assertEquals(31.054243f, Float.intBitsToFloat(r.expected));
        assertEquals(r.expected, Float.floatToRawIntBits(
                Float32Rounding.round(cast, r.x, r.t, r.w, r.gamma, r.alpha, 1)));
    }

    /** The exact evaluation alone, without the closed form, decides every row it is given. */
    @Test
    void theExactEvaluationAgreesWithMpmath() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Row r : ROWS) {
            if (Math.abs(r.x) > 40 || checked++ % 4 != 0) {
                continue; // large |x| ties are the closed form's; a quarter of the rest keeps this fast
            }
            float f = ExactLoss.rounded(r.x, r.t, r.w, r.gamma, r.alpha, 1);
            if (Float.floatToRawIntBits(f) != r.expected) {
                failures.add(r + ": " + f + ", correctly rounded " + Float.intBitsToFloat(r.expected));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " wrong:\n" + String.join("\n", failures));
    }

    @Test
    void midpointsAreFoundInEveryRange() {
        assertEquals(0, Float32Rounding.midpointGap(1 + 0x1p-24));
        assertEquals(0x1p-52, Float32Rounding.midpointGap(1 + 0x1p-24 + 0x1p-52));
        assertEquals(0, Float32Rounding.midpointGap(0x1p-150), "between 0 and the smallest subnormal");
        assertEquals(0, Float32Rounding.midpointGap(0x1p-149 * 2.5), "between two subnormals");
        assertEquals(0, Float32Rounding.midpointGap((double) Float.MAX_VALUE + 0x1p103), "the last one");
        assertTrue(Float32Rounding.uncertain(1 + 0x1p-24, Float32Rounding.slackUlps(2)));
        assertTrue(Float32Rounding.uncertain(0x1p-149 * 2.5, Float32Rounding.slackUlps(2)));
        assertTrue(!Float32Rounding.uncertain(1 + 0x1p-23, Float32Rounding.slackUlps(2)), "a float32");
        assertTrue(!Float32Rounding.uncertain(0, Float32Rounding.slackUlps(2)));
    }

    /**
     * The cast's loop flags every element that the second look would decide again (the argument
     * at Float32Rounding.lookAgain): doubles at every distance within the slack of midpoints in
     * the normal binades, at their edges, in the subnormal range and at the overflow threshold,
     * for slacks from gamma 0 to the one that looks at everything. Random doubles are rarely flagged.
     */
    @Test
    void theCastsLoopFlagsEveryUncertainElement() {
        java.util.Random rnd = new java.util.Random(25);
        List<Double> midpoints = new ArrayList<>(List.of(0x1p-150, 0x1p-149 * 2.5, 0x1p-126 - 0x1p-150,
                0x1p-126 + 0x1p-150, 1 + 0x1p-24, 2 - 0x1p-25, (double) Float.MAX_VALUE + 0x1p103));
        for (int k = 0; k < 2000; k++) {
            float f = Float.intBitsToFloat(rnd.nextInt(0x7f7fffff) + 1);
            midpoints.add((double) f + Math.ulp(f) / 2.0);
        }
        for (double gamma : new double[] {0, 0.5, 2, 10, 1e9}) {
            long slack = Float32Rounding.slackUlps(gamma);
            double above = 1 + Float32Rounding.margin(slack);
            double below = 1 - Float32Rounding.margin(slack);
            int uncertain = 0;
            for (double m : midpoints) {
                for (double sign : new double[] {1, -1}) {
                    for (long j = -slack - 2; j <= slack + 2; j += Math.max(1, slack / 16)) {
                        double d = sign * Double.longBitsToDouble(Double.doubleToRawLongBits(m) + j);
                        if (Float32Rounding.uncertain(d, slack)) {
                            uncertain++;
                            assertTrue(Float32Rounding.ends(d, above, below), d + " at gamma " + gamma);
                        }
                    }
                }
            }
            assertTrue(uncertain > midpoints.size(), "uncertain: " + uncertain);
        }
        long slack = Float32Rounding.slackUlps(2);
        int flagged = 0;
        for (int k = 0; k < 100_000; k++) {
            double d = Math.exp(rnd.nextGaussian() * 5);
            flagged += Float32Rounding.ends(d, 1 + Float32Rounding.margin(slack), 1 - Float32Rounding.margin(slack))
                    ? 1 : 0;
        }
        assertTrue(flagged < 10, "flagged: " + flagged);
    }

    /** Rows sharing gamma and alpha, in fixture order: one pass each. */
    private static List<List<Row>> byParameters() {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : ROWS) {
            groups.computeIfAbsent(r.gamma + "/" + r.alpha, k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(groups.values());
    }

    /** The loss as the pass writes it to a float32 tensor. */
    private static float[] evaluate(Kernels kernel, List<Row> rows) {
        int n = rows.size();
        Tensor x = Tensor.allocate(DType.FLOAT32, Shape.of(n));
        Tensor t = Tensor.allocate(DType.FLOAT32, Shape.of(n));
        Tensor w = Tensor.allocate(DType.FLOAT32, Shape.of(n));
        for (int i = 0; i < n; i++) {
            x.setDouble(i, rows.get(i).x);
            t.setDouble(i, rows.get(i).t);
            w.setDouble(i, rows.get(i).w);
        }
        Tensor loss = Tensor.allocate(DType.FLOAT32, Shape.of(n));
        Row first = rows.get(0);
        new FocalEvaluation(new EvalInputs(x, "x", t, "t", w, "w"), first.gamma, first.alpha, 1, 0, kernel)
                .run(loss, null, 0, 1);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) loss.getDouble(i);
        }
        return out;
    }

    private static List<Row> load(String resource) {
        List<Row> rows = new ArrayList<>();
        for (String[] c : Fixtures.tsv(resource)) {
            rows.add(new Row(Float.intBitsToFloat(Integer.parseUnsignedInt(c[0], 16)), Float.parseFloat(c[1]),
                    Double.parseDouble(c[2]), Double.parseDouble(c[3]), Float.parseFloat(c[4]),
                    Integer.parseUnsignedInt(c[5], 16)));
        }
        return rows;
    }
}
