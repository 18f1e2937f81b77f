package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * The summary's bookkeeping against numpy's (tools/oracle/stats_oracle.py): anchors and losses by
 * kind (docs/semantics.md#anchor-kinds, docs/semantics.md#heatmap-element-kinds), their elements
 * (a separate multi-head's too), by class and by sample, the NaN and infinite losses and the first of each, --top, the inputs' ranges.
 * Each case runs in blocks and ranges of several sizes, some crossing a sample's end, merged in
 * order as the evaluation's threads are: every split must give numpy's figures.
 */
class LossAccumulatorTest {
    static final Path FIXTURE = Path.of("src/test/resources/stats/accumulator.json");
    /** (anchors per range, anchors per block); 0 stands for all the case's anchors. */
    static final int[][] SPLITS = {{0, 0}, {0, 1}, {1, 1}, {4, 4}, {5, 2}, {7, 3}, {9, 4}, {13, 5}};

    private static double[] numbers(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = TensorSummaryTest.number(a.get(i));
        }
        return d;
    }

    /** numpy's exact sum against focal's, which adds in lanes and blocks: within 1e-12 relative. */
    private static void assertSum(JsonNode expected, double actual, String what) {
        double e = TensorSummaryTest.number(expected);
        if (Double.isFinite(e)) {
            assertEquals(e, actual, Math.abs(e) * 1e-12, what);
        } else {
            assertEquals(e, actual, what);
        }
    }

    /** The case's anchors, in ranges of {@code rangeAnchors} and blocks of {@code blockAnchors}, merged in order. */
    private static LossAccumulator run(JsonNode c, int rangeAnchors, int blockAnchors) {
        int classes = c.get("classes").asInt();
        int anchors = c.get("anchors").asInt();
        int samples = c.get("samples").asInt();
        int topK = c.get("top_k").asInt();
        boolean elementKinds = c.get("element_kinds").asBoolean();
        double[] x = numbers(c.get("x"));
        double[] t = numbers(c.get("t"));
        double[] w = numbers(c.get("w"));
        double[] loss = numbers(c.get("loss"));
        double[] focal = numbers(c.get("focal"));
        long anchorsPerSample = samples == 0 ? 1 : anchors / samples;
        int perRange = rangeAnchors == 0 ? anchors : rangeAnchors;
        int perBlock = blockAnchors == 0 ? anchors : blockAnchors;
        AnchorBlock block = new AnchorBlock(classes, perBlock, false);
        BlockSums sums = new BlockSums(classes, perBlock);
        AnchorSums kinds = elementKinds ? HeatmapSums.INSTANCE : AnchorSums.SCALAR;
        LossAccumulator.BlockSummer summer = (from, to) -> {
            sums.clear();
            kinds.sum(sums, block, from, to);
            return sums;
        };
        JsonNode evaluated = c.get("evaluated");
        LongToIntFunction heads = evaluated.isNull() ? null : a -> evaluated.get((int) a).asInt();
        LossAccumulator total = new LossAccumulator(classes, topK, samples, false, null, elementKinds, heads);
        for (int r0 = 0; r0 < anchors; r0 += perRange) {
            int rangeEnd = Math.min(anchors, r0 + perRange);
            LossAccumulator range = new LossAccumulator(classes, topK, samples, false, null, elementKinds, heads);
            for (int a0 = r0; a0 < rangeEnd; a0 += perBlock) {
                int na = Math.min(perBlock, rangeEnd - a0);
                block.hold(na);
                for (int j = 0; j < na; j++) {
                    for (int k = 0; k < classes; k++) {
                        int from = (a0 + j) * classes + k;
                        int to = block.offset(k) + j;
                        block.x[to] = x[from];
                        block.t[to] = t[from];
                        block.w[to] = w[from];
                        block.loss[to] = loss[from];
                        block.focal[to] = focal[from];
                    }
                }
                range.addBlock(a0, block, anchorsPerSample, summer);
            }
            total.merge(range);
        }
        return total;
    }

    private static void check(JsonNode c, LossAccumulator acc, String name) {
        assertEquals(c.get("classes").asInt(), acc.classes(), name);
        long all = 0;
        long elements = 0;
        for (AnchorKind k : AnchorKind.values()) {
            JsonNode e = c.get("kinds").get(k.ordinal());
            String what = name + " " + k.label();
            assertEquals(e.get("count").asLong(), acc.anchors(k), what + " count");
            assertEquals(e.get("elements").asLong(), acc.elements(k), what + " elements");
            elements += e.get("elements").asLong();
            assertSum(e.get("loss_sum"), acc.lossSum(k), what + " loss");
            assertSum(e.get("focal_mean"), acc.focalMean(k), what + " focal mean");
            assertEquals(e.get("non_finite").asLong(), acc.nonFiniteLoss(k), what + " non-finite losses");
            assertEquals(e.get("first_non_finite").asLong(), acc.firstNonFiniteLoss(k), what + " first non-finite");
            all += e.get("count").asLong();
        }
        assertEquals(all, acc.anchors(), name + " anchors");
        assertEquals(elements, acc.elements(), name + " elements");
        assertEquals(c.get("nan").asLong(), acc.nanLoss(), name + " NaN losses");
        assertEquals(c.get("first_nan").asLong(), acc.firstNanLoss(), name + " first NaN");
        assertEquals(c.get("infinite").asLong(), acc.infiniteLoss(), name + " infinite losses");
        assertEquals(c.get("first_infinite").asLong(), acc.firstInfiniteLoss(), name + " first infinite");
        assertEquals(c.get("non_finite_logits").asLong(), acc.nonFiniteLogits(), name + " non-finite logits");
        assertSum(c.get("total"), acc.totalLoss(), name + " total");
        for (int k = 0; k < acc.classes(); k++) {
            assertEquals(c.get("class_positives").get(k).asLong(), acc.classPositives(k), name + " positives of " + k);
            assertSum(c.get("class_loss").get(k), acc.classLoss(k), name + " loss of class " + k);
        }
        assertEquals(c.get("samples").asInt(), acc.samples(), name);
        for (int s = 0; s < acc.samples(); s++) {
            assertSum(c.get("sample_loss").get(s), acc.sampleLoss(s), name + " loss of sample " + s);
            for (AnchorKind k : AnchorKind.values()) {
                assertEquals(c.get("sample_counts").get(s).get(k.ordinal()).asLong(), acc.sampleCount(s, k),
                        name + " sample " + s + " " + k.label());
            }
        }
        List<String> top = new ArrayList<>();
        for (TopK.Item i : acc.top().items()) {
            top.add(i.index + "=" + i.loss);
        }
        List<String> want = new ArrayList<>();
        for (JsonNode i : c.get("top")) {
            want.add(i.get(0).asLong() + "=" + TensorSummaryTest.number(i.get(1)));
        }
        assertEquals(want, top, name + " top");
        assertEquals(TensorSummaryTest.number(c.get("target_min")), acc.targetRange().min(), name + " target min");
        assertEquals(TensorSummaryTest.number(c.get("target_max")), acc.targetRange().max(), name + " target max");
        assertEquals(c.get("logits_zeros_and_ones").asBoolean(), acc.logitRange().zerosAndOnesOnly(),
                name + " logits all 0 or 1");
        assertTrue(acc.histograms().isEmpty() && acc.bev().isEmpty(), name + ": no report asked for");
    }

    @Test
    void everySplitGivesNumpysFigures() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(FIXTURE.toFile()).get("cases");
        assertTrue(cases.size() >= 4, "the fixture lists its cases");
        for (JsonNode c : cases) {
            for (int[] split : SPLITS) {
                String name = c.get("name").asText() + " in ranges of " + split[0] + ", blocks of " + split[1];
                check(c, run(c, split[0], split[1]), name);
            }
        }
    }

    /**
     * A class's loss over a block adds in four lanes of every fourth anchor, (0 + 1) + (2 + 3), as
     * the class comment of {@link LossAccumulator} says: with 2^53 first, the 1 of lane 0 is lost
     * and the six of lanes 1 to 3 are not, where one running sum would lose all seven.
     */
    @Test
    void aClassLossAddsInFourLanesOfEveryFourthAnchor() {
        AnchorBlock block = new AnchorBlock(1, 8, true);
        block.hold(8);
        java.util.Arrays.fill(block.w, 0, 8, 1.0);
        java.util.Arrays.fill(block.loss, 0, 8, 1.0);
        block.loss[0] = 0x1p53;
        BlockSums sums = new BlockSums(1, 8);
        LossAccumulator acc = new LossAccumulator(1, 0, 0);
        acc.addBlock(0, block, 1, (from, to) -> {
            sums.clear();
            AnchorSums.SCALAR.sum(sums, block, from, to);
            return sums;
        });
        assertEquals(0x1p53 + 6, acc.classLoss(0), 0);
    }
}
