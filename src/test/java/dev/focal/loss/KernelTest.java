package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.loss.FocalMathTest.Fixture;
import dev.focal.loss.FocalMathTest.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel over whole blocks of the oracle's rows (tools/oracle/loss_oracle.py): the float32
 * loss focal writes from the kernel's doubles (Float32Rounding) correctly rounded, within half an
 * ulp of the exact value (docs/accuracy.md), the focal factor within 1 ulp, and NaN/inf exactly
 * where PyTorch has them. Surefire runs with the incubating vector module, so the vector kernel is
 * really exercised here.
 */
class KernelTest {
    private static final Fixture FINITE = Fixture.load("loss/focal_finite.json");
    private static final Fixture NONFINITE = Fixture.load("loss/focal_nonfinite.json");

    @TestFactory
    Stream<DynamicTest> kernelsRoundFloat32LossesCorrectlyAndPlaceNaNAsTorch() {
        Kernels vector = Kernels.vector();
        assertNotNull(vector, "the test JVM must run with --add-modules jdk.incubator.vector");
        return Stream.of(Kernels.scalar(), Kernels.polynomial(), vector)
                .map(k -> DynamicTest.dynamicTest(k.toString(), () -> check(k.math(), k.toString())));
    }

    private static void check(LossMath kernel, String name) {
        List<String> failures = new ArrayList<>();
        for (List<Row> group : byParameters(FINITE.rows())) {
            double[][] out = run(kernel, group);
            for (int i = 0; i < group.size(); i++) {
                Row r = group.get(i);
                double loss = FocalMathTest.ulps32(FocalMathTest.float32Loss(r, out[0][i]), r.exact("loss_exact"));
                double focal = FocalMathTest.ulps32((float) out[1][i], r.exact("focal_exact"));
                if (loss > 0.5 || focal > 1) {
                    failures.add(r + ": loss " + out[0][i] + " (" + loss + " float ulps), focal " + out[1][i]
                            + " (" + focal + " float ulps)");
                }
            }
        }
        for (List<Row> group : byParameters(NONFINITE.rows())) {
            double[][] out = run(kernel, group);
            for (int i = 0; i < group.size(); i++) {
                double torch = group.get(i).num("loss_f64");
                double ours = out[0][i];
                boolean same = Double.isNaN(torch) ? Double.isNaN(ours)
                        : Double.isInfinite(torch) ? ours == torch : Double.isFinite(ours);
                if (!same) {
                    failures.add(group.get(i) + ": ours " + ours + " torch " + torch);
                }
            }
        }
        assertTrue(failures.isEmpty(), name + ":\n" + String.join("\n", failures));
    }

    /** Rows sharing gamma and alpha, in fixture order: one kernel call each, lanes and tail alike. */
    private static List<List<Row>> byParameters(List<Row> rows) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.gamma + "/" + r.alpha, k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(groups.values());
    }

    private static double[][] run(LossMath kernel, List<Row> rows) {
        int n = rows.size();
        double[] x = new double[n];
        double[] t = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rows.get(i).x;
            t[i] = rows.get(i).t;
            w[i] = rows.get(i).w;
        }
        double[] loss = new double[n];
        double[] focal = new double[n];
        kernel.evaluate(x, t, w, n, rows.get(0).gamma, rows.get(0).alpha, loss, focal);
        return new double[][] {loss, focal};
    }
}
