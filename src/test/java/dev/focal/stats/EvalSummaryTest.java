package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The summary's derived figures, which the table, the JSON summary and the report read: anchors
 * of every kind, the kinds' names by loss (docs/semantics.md#anchor-kinds,
 * docs/semantics.md#heatmap-element-kinds), the non-finite losses and a grid's cells.
 */
class EvalSummaryTest {
    private static EvalSummary summary(String loss, Optional<List<EvalSummary.TopElement>> top,
                                       Optional<EvalSummary.Bev> bev) {
        EvalSummary.Inputs in = new EvalSummary.Inputs(2, 0.25, 1, new long[] {2, 5, 3}, "float32", "float32", "given",
                "w.npy", loss);
        EvalSummary.Loss l = new EvalSummary.Loss(3.5, 30, OptionalDouble.of(3.5 / 30), OptionalDouble.of(1.75),
                OptionalDouble.empty());
        List<EvalSummary.Kind> kinds = List.of(
                new EvalSummary.Kind(AnchorKind.POSITIVE, 2, 1.5, OptionalDouble.of(0.75), OptionalDouble.of(1.5 / 3.5),
                        OptionalDouble.of(0.5)),
                new EvalSummary.Kind(AnchorKind.NEGATIVE, 7, 2, OptionalDouble.of(2.0 / 7), OptionalDouble.of(2 / 3.5),
                        OptionalDouble.of(0.25)),
                new EvalSummary.Kind(AnchorKind.IGNORED, 1, 0, OptionalDouble.of(0), OptionalDouble.of(0),
                        OptionalDouble.of(0)));
        EvalSummary.NonFinite nonFinite = new EvalSummary.NonFinite(1, new long[] {2, 0, 3},
                List.of(Optional.empty(), Optional.empty(), Optional.empty()), 4, 1, Optional.empty(), Optional.empty());
        return new EvalSummary(in, Optional.empty(), l, kinds, List.of(), List.of(), nonFinite, top, List.of(),
                Optional.empty(), bev);
    }

    @Test
    void anchorsAndNonFiniteLossesAreTheKindsSums() {
        EvalSummary s = summary("sigmoid-focal", Optional.empty(), Optional.empty());
        assertEquals(10, s.anchors());
        assertEquals(5, s.nonFinite().loss());
        for (AnchorKind k : AnchorKind.values()) {
            assertSame(s.kinds().get(k.ordinal()), s.kind(k));
        }
    }

    @Test
    void kindsAreNamedByTheLoss() {
        EvalSummary focal = summary("sigmoid-focal", Optional.empty(), Optional.empty());
        assertEquals(false, focal.inputs().heatmap());
        assertEquals("positive negative ignored", focal.label(AnchorKind.POSITIVE) + " "
                + focal.label(AnchorKind.NEGATIVE) + " " + focal.label(AnchorKind.IGNORED));
        assertEquals("anchors", AnchorKind.counted(false));
        for (String loss : new String[] {"centernet", "gaussian"}) {
            EvalSummary heatmap = summary(loss, Optional.empty(), Optional.empty());
            assertEquals(true, heatmap.inputs().heatmap(), loss);
            assertEquals("peak near background", heatmap.label(AnchorKind.POSITIVE) + " "
                    + heatmap.label(AnchorKind.NEGATIVE) + " " + heatmap.label(AnchorKind.IGNORED), loss);
        }
        assertEquals("elements", AnchorKind.counted(true));
    }

    @Test
    void withoutTopKeepsEverythingElse() {
        EvalSummary.TopElement e = new EvalSummary.TopElement(new long[] {0, 1, 2}, 2, 0.5, 1, 1, 0.75);
        EvalSummary s = summary("sigmoid-focal", Optional.of(List.of(e)), Optional.empty());
        EvalSummary t = s.withoutTop();
        assertEquals(Optional.empty(), t.top());
        assertEquals(new EvalSummary(s.inputs(), s.labels(), s.loss(), s.kinds(), s.samples(), s.classes(),
                s.nonFinite(), Optional.empty(), s.warnings(), s.histograms(), s.bev()), t);
    }

    /** Cells sample by sample, then row-major (h, w) (EvalSummary.Bev). */
    @Test
    void aCellIsFoundBySampleRowAndColumn() {
        Grid g = new Grid(2, 3, 4, 2);
        assertEquals(24, g.anchorsPerSample());
        assertEquals(12, g.cells());
        double[] loss = new double[12];
        int[] positives = new int[12];
        int[] nonFinite = new int[12];
        for (int i = 0; i < 12; i++) {
            loss[i] = i + 0.5;
            positives[i] = 100 + i;
            nonFinite[i] = 200 + i;
        }
        EvalSummary.Bev bev = new EvalSummary.Bev(g, loss, positives, nonFinite);
        StringBuilder order = new StringBuilder();
        for (int s = 0; s < 2; s++) {
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 3; w++) {
                    order.append(bev.loss(s, h, w)).append('/').append(bev.positives(s, h, w)).append('/')
                            .append(bev.nonFinite(s, h, w)).append(' ');
                }
            }
        }
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            want.append(i + 0.5).append('/').append(100 + i).append('/').append(200 + i).append(' ');
        }
        assertEquals(want.toString(), order.toString());
        assertEquals("[2, 5, 3]", Arrays.toString(summary("gaussian", Optional.empty(), Optional.of(bev)).inputs().shape()));
    }
}
