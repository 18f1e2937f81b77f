package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.head.LabelTargets;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Grid;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The BEV heatmaps' per-cell loss and positive anchors, gathered in the pass, against numpy's
 * sums of torch's float64 loss (tools/oracle/report_oracle.py); bit-identical for any thread
 * count, across a range boundary that cuts a cell.
 */
class CellSumsTest {
    private static final Path REPORT = Path.of("src/test/resources/report");

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
    void onlyTheSamplesAskedFor() throws IOException {
        Path c = Path.of("src/test/resources/eval/anchor_head");
        EvalInputs in = new EvalInputs(read(c.resolve("logits.npy")), "l", read(c.resolve("targets.npy")), "t",
                read(c.resolve("weights.npy")), "w");
        EvalSummary.Bev one = bev(in, 1, new Grid(5, 5, 2, 1), 2);
        JsonNode want = new ObjectMapper().readTree(REPORT.resolve("bev_anchor_head.json").toFile());
        assertEquals(25, one.loss().length);
        for (int i = 0; i < 25; i++) {
            assertEquals(want.at("/loss/" + i).asDouble(), one.loss()[i], 1e-12 * want.at("/loss/" + i).asDouble());
        }
    }

    private static void check(String name, EvalInputs in, double scale, Grid grid) throws IOException {
        JsonNode want = new ObjectMapper().readTree(REPORT.resolve("bev_" + name + ".json").toFile());
        assertEquals(grid.height(), want.at("/grid/0").asInt());
        assertEquals(grid.width(), want.at("/grid/1").asInt());
        assertEquals(grid.anchorsPerCell(), want.at("/grid/2").asInt());
        EvalSummary.Bev first = bev(in, scale, grid, 1);
        assertEquals(want.get("loss").size(), first.loss().length, name);
        for (int i = 0; i < first.loss().length; i++) {
            double expected = want.get("loss").get(i).asDouble();
            assertEquals(expected, first.loss()[i], 1e-12 * Math.abs(expected), name + " cell " + i);
            assertEquals(want.get("positives").get(i).asLong(), first.positives()[i], name + " positives " + i);
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
