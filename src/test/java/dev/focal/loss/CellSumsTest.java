package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.head.LabelTargets;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Grid;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The BEV heatmaps' per-cell loss, positive anchors (a heatmap loss's peaks) and non-finite
 * losses, gathered in the pass, against numpy's sums of torch's float64 loss, or for a heatmap
 * loss of its exact per-element loss (tools/oracle/report_oracle.py); bit-identical for any
 * thread count, across a range boundary that cuts a cell.
 */
class CellSumsTest {
    private static final Path REPORT = Path.of("src/test/resources/report");
    /** The fixtures' JSON, where a non-finite cell's loss is NaN or Infinity. */
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @Test
    void labelsModeHeadOutput() throws IOException {
        Path c = Path.of("src/test/resources/head/anchor_c3");
        // The case's arguments: --num-classes 3 --normalize per-sample --loss-weight 2.0.
        EvalInputs in = labelsMode(read(c.resolve("cls_preds.npy")), read(c.resolve("labels.npy")), 3);
        check("anchor_c3", in, 2.0, new Grid(8, 6, 6, 2));
    }

    @Test
    void targetsModeWithAGrid() throws IOException {
        Path c = Path.of("src/test/resources/eval/anchor_head");
        EvalInputs in = new EvalInputs(read(c.resolve("logits.npy")), "l", read(c.resolve("targets.npy")), "t",
                read(c.resolve("weights.npy")), "w");
        check("anchor_head", in, 1, new Grid(5, 5, 2, 2));
    }

    @Test
    void aCellCutByARangeBoundary() throws IOException {
        String npz = REPORT.resolve("bev_ranges/inputs.npz").toString();
        EvalInputs in = labelsMode(read(npz + ":cls_preds"), read(npz + ":box_cls_labels"), 16);
        // 5,400 anchors of 16 classes: two ranges, the first ending inside cell 4096 / 3.
        assertTrue(FocalEvaluation.rangeAnchors(16) % 3 != 0 && FocalEvaluation.rangeAnchors(16) < 5400);
        check("ranges", in, 1, new Grid(30, 20, 3, 3));
    }

    @Test
    void nonFiniteLossesPerCell() throws IOException {
        Path c = Path.of("src/test/resources/eval/nonfinite");
        EvalInputs in = new EvalInputs(read(c.resolve("logits.npy")), "l", read(c.resolve("targets.npy")), "t",
                read(c.resolve("weights.npy")), "w");
        check("nonfinite", in, 1, new Grid(5, 2, 1, 2));
    }

    /** A heatmap loss's (B, H, W, C) loss is its own grid, one element of each class a cell. */
    @ParameterizedTest
    @ValueSource(strings = {"centerhead_cls1", "transfusion_hm0_5", "nonfinite"})
    void heatmapCells(String name) throws IOException {
        JsonNode want = JSON.readTree(REPORT.resolve("heatmap_" + name + ".json").toFile());
        JsonNode cells = want.get("cells");
        Grid grid = new Grid(want.at("/grid/0").asInt(), want.at("/grid/1").asInt(), 1, 2);
        EvalSummary.Bev first = HistogramsTest.heatmapPass(name, want, grid, 1).bev().orElseThrow();
        assertEquals(cells.get("loss").size(), first.loss().length, name);
        for (int i = 0; i < first.loss().length; i++) {
            assertClose(cells.get("loss").get(i).asDouble(), first.loss()[i], name + " cell " + i);
            assertEquals(cells.get("peaks").get(i).asInt(), first.positives()[i], name + " peaks " + i);
            assertEquals(cells.get("nonfinite").get(i).asInt(), first.nonFinite()[i], name + " non-finite " + i);
        }
        EvalSummary.Bev other = HistogramsTest.heatmapPass(name, want, grid, 2).bev().orElseThrow();
        assertArrayEquals(first.loss(), other.loss(), name + " with 2 threads");
    }

    /** Within 1e-12 relative, where NaN and infinities must match exactly. */
    private static void assertClose(double expected, double actual, String what) {
        if (Double.isFinite(expected)) {
            assertEquals(expected, actual, 1e-12 * Math.abs(expected), what);
        } else {
            assertEquals(expected, actual, what);
        }
    }

    @Test
    void onlyTheSamplesAskedFor() throws IOException {
        Path c = Path.of("src/test/resources/eval/anchor_head");
        EvalInputs in = new EvalInputs(read(c.resolve("logits.npy")), "l", read(c.resolve("targets.npy")), "t",
                read(c.resolve("weights.npy")), "w");
        EvalSummary.Bev one = bev(in, 1, new Grid(5, 5, 2, 1), 2);
        JsonNode want = JSON.readTree(REPORT.resolve("bev_anchor_head.json").toFile());
        assertEquals(25, one.loss().length);
        for (int i = 0; i < 25; i++) {
            assertEquals(want.at("/loss/" + i).asDouble(), one.loss()[i], 1e-12 * want.at("/loss/" + i).asDouble());
        }
    }

    private static void check(String name, EvalInputs in, double scale, Grid grid) throws IOException {
        JsonNode want = JSON.readTree(REPORT.resolve("bev_" + name + ".json").toFile());
        assertEquals(grid.height(), want.at("/grid/0").asInt());
        assertEquals(grid.width(), want.at("/grid/1").asInt());
        assertEquals(grid.anchorsPerCell(), want.at("/grid/2").asInt());
        EvalSummary.Bev first = bev(in, scale, grid, 1);
        assertEquals(want.get("loss").size(), first.loss().length, name);
        for (int i = 0; i < first.loss().length; i++) {
            assertClose(want.get("loss").get(i).asDouble(), first.loss()[i], name + " cell " + i);
            assertEquals(want.get("positives").get(i).asInt(), first.positives()[i], name + " positives " + i);
            assertEquals(want.get("nonfinite").get(i).asInt(), first.nonFinite()[i], name + " non-finite " + i);
        }
        for (int threads : new int[] {2, 3}) {
            EvalSummary.Bev other = bev(in, scale, grid, threads);
            assertArrayEquals(first.loss(), other.loss(), name + " with " + threads + " threads");
            assertArrayEquals(first.positives(), other.positives(), name + " with " + threads + " threads");
        }
    }

    private static EvalSummary.Bev bev(EvalInputs in, double scale, Grid grid, int threads) {
        FocalEvaluation eval = new FocalEvaluation(in, 2, 0.25, scale, 0, Kernels.choose(false, "auto"));
        eval.gatherReport(grid);
        return eval.run(null, null, 0, threads).bev().orElseThrow();
    }

    private static EvalInputs labelsMode(Tensor clsPreds, Tensor labels, int classes) {
        LabelTargets derived = LabelTargets.derive(labels, "labels", classes, LabelTargets.Background.FIRST,
                LabelTargets.Normalize.PER_SAMPLE, 1f, 1f);
        Tensor logits = LabelTargets.reshapeLogits(clsPreds, "cls_preds", labels.shape(), classes);
        return new EvalInputs(logits, "cls_preds", derived);
    }

    private static Tensor read(Object p) {
        return TensorIO.read(TensorRef.parse(p.toString()));
    }
}
