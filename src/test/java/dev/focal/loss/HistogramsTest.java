package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.Histograms;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The report's histograms, gathered in the pass, against numpy's counts of the same bins over
 * torch's loss (tools/oracle/report_oracle.py); for any thread count, as the ranges merge.
 */
class HistogramsTest {
    private static final Path EVAL = Path.of("src/test/resources/eval");

    @ParameterizedTest
    @ValueSource(strings = {"anchor_head", "nonfinite", "four_d"})
    void countsAreNumpys(String name) throws IOException {
        Path c = EVAL.resolve(name);
        JsonNode want = new ObjectMapper().readTree(Path.of("src/test/resources/report", name + "_histograms.json").toFile());
        Tensor logits = read(c.resolve("logits.npy"));
        Tensor targets = read(c.resolve("targets.npy"));
        Tensor weights = Files.exists(c.resolve("weights.npy")) ? read(c.resolve("weights.npy")) : null;
        for (int threads : new int[] {1, 2}) {
            FocalEvaluation eval = new FocalEvaluation(new EvalInputs(logits, "l", targets, "t", weights, "w"), 2,
                    0.25, 1, 0, Kernels.choose(false, "auto"));
            eval.gatherReport(null);
            LossAccumulator acc = eval.run(null, null, 0, threads);
            Histograms h = acc.histograms().orElseThrow();
            for (AnchorKind k : AnchorKind.values()) {
                assertArrayEquals(longs(want.at("/loss/" + k.label())), h.loss(k), name + " " + k.label());
                assertEquals(want.at("/zero_loss/" + k.label()).asLong(), h.zeroLoss(k), name + " zeros");
            }
            assertArrayEquals(longs(want.at("/logit/positive")), h.logit(AnchorKind.POSITIVE), name + " x_t positive");
            assertArrayEquals(longs(want.at("/logit/negative")), h.logit(AnchorKind.NEGATIVE), name + " x_t negative");
        }
    }

    /**
     * A heatmap loss's histograms, by element kind: each element's loss, and its logit x, against
     * numpy's bins of the exact per-element loss (checked there against OpenPCDet's own functions).
     */
    @ParameterizedTest
    @ValueSource(strings = {"centerhead_cls1", "transfusion_hm0_5", "nonfinite"})
    void heatmapCountsAreNumpys(String name) throws IOException {
        JsonNode want = CellSumsTest.JSON.readTree(Path.of("src/test/resources/report", "heatmap_" + name + ".json")
                .toFile());
        for (int threads : new int[] {1, 2}) {
            Histograms h = heatmapPass(name, want, null, threads).histograms().orElseThrow();
            for (AnchorKind k : AnchorKind.values()) {
                String kind = k.label(true);
                assertArrayEquals(longs(want.at("/loss/" + kind)), h.loss(k), name + " " + kind);
                assertEquals(want.at("/zero_loss/" + kind).asLong(), h.zeroLoss(k), name + " zeros");
                assertArrayEquals(longs(want.at("/logit/" + kind)), h.logit(k), name + " x of " + kind);
            }
        }
    }

    /**
     * The pass of a heatmap case of tools/oracle/report_oracle.py: (B, C, H, W) inputs with the
     * classes on axis 1, the loss and weight of its arguments, the report's figures gathered on
     * {@code grid} (or none).
     */
    static LossAccumulator heatmapPass(String name, JsonNode want, dev.focal.stats.Grid grid, int threads) {
        Path dir = Path.of(name.equals("nonfinite") ? "src/test/resources/report/heatmap_nonfinite"
                : "src/test/resources/heatmap/" + name);
        java.util.List<String> args = new java.util.ArrayList<>();
        want.get("args").forEach(a -> args.add(a.asText()));
        int weight = args.indexOf("--loss-weight");
        Tensor logits = read(dir.resolve("logits.npy"));
        EvalInputs in = new EvalInputs(logits, "l", read(dir.resolve("targets.npy")), "t", null, "w", 1);
        FocalEvaluation eval = new FocalEvaluation(in, LossFunction.byName(args.get(args.indexOf("--loss") + 1)),
                java.util.List.of(new FocalEvaluation.Pair(4, 2)),
                weight < 0 ? 1 : Double.parseDouble(args.get(weight + 1)), (int) logits.shape().dim(0),
                Kernels.choose(false, "auto"));
        eval.gatherReport(grid);
        return eval.run(null, null, 0, threads);
    }

    @Test
    void noHistogramsUnlessAsked() {
        Tensor logits = Tensor.allocate(dev.focal.tensor.DType.FLOAT32, dev.focal.tensor.Shape.of(4, 3));
        FocalEvaluation eval = new FocalEvaluation(new EvalInputs(logits, "l", logits, "t", null, "w"), 2, 0.25, 1,
                0, Kernels.choose(false, "auto"));
        assertFalse(eval.run(null, null, 0, 1).histograms().isPresent());
    }

    @Test
    void lossEdgesAreHalfOctaves() {
        // 1 = 2^0 starts bin 2 * 60; 1.5 the next; below 2^-60 and above 2^10 the end bins.
        assertEquals(1.0, Histograms.lossEdge(120));
        assertEquals(1.5, Histograms.lossEdge(121));
        assertEquals(2.0, Histograms.lossEdge(122));
        assertEquals(Math.scalb(1.0, -60), Histograms.lossEdge(0));
        assertEquals(Math.scalb(1.0, 10), Histograms.lossEdge(Histograms.LOSS_BINS));
    }

    private static Tensor read(Path p) {
        return TensorIO.read(TensorRef.parse(p.toString()));
    }

    private static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asLong();
        }
        return v;
    }
}
