package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference's weight rule (docs/semantics.md#weight-broadcast) against torch 1.13 running the
 * reference's own lines (tools/oracle/broadcast_oracle.py, loss/broadcast.json): which weight
 * shapes are refused and by which of its checks, the loss's shape, and the weight of every loss
 * element, also with each axis moved last (--class-axis). Refusals are checked by their whole text.
 */
class WeightBroadcastTest {

    @Test
    void shapesAndWeightsAreTorchs() {
        int accepted = 0;
        for (JsonNode c : Fixtures.broadcastCases()) {
            Shape targets = Fixtures.shape(c.get("targets"));
            Shape weights = Fixtures.shape(c.get("weights"));
            String where = "targets " + targets + ", weights " + weights;
            if (!c.get("refused").isNull()) {
                FocalException e = assertThrows(FocalException.class, () -> WeightBroadcast.of(targets, weights, "w.npy"),
                        where);
                assertEquals(3, e.exitCode(), where);
                String kind = c.get("refused").asText().equals("ndim") ? "ndim assertion" : "do not broadcast";
                assertTrue(e.getMessage().startsWith("w.npy: ") && e.getMessage().contains(kind)
                        && e.getMessage().contains("; accepted: " + WeightBroadcast.accepted(targets)), e.getMessage());
                continue;
            }
            WeightBroadcast b = WeightBroadcast.of(targets, weights, "w.npy");
            assertEquals(Fixtures.shape(c.get("loss")), b.loss(), where);
            assertEquals(longs(c.get("index")), weightIndex(b), where);
            for (int a = 0; a < targets.rank(); a++) {
                WeightBroadcast moved = b.moveAxisLast(a);
                assertEquals(Shape.of(Shape.movedLast(b.loss().dims(), a)), moved.loss(), where + ", axis " + a);
                assertEquals(longs(c.get("moved").get(Integer.toString(a))), weightIndex(moved), where + ", axis " + a);
            }
            accepted++;
        }
        assertTrue(accepted >= 15, "accepted cases: " + accepted);
    }

    /**
     * The evaluation multiplies each element by the weight torch's broadcast gives it, for every
     * shape and class axis of the fixture: the weights hold 1 + their flat index, so each element's
     * loss is that of a weight of 1 times torch's index plus 1. Shapes whose weights have as many
     * values as the anchors or the elements but broadcast along an axis (such as (1, 4, 3) beside
     * (3, 4, 3)) must not be read as one weight per anchor or per element.
     */
    @Test
    void theEvaluationWeighsEachElementAsTorchBroadcasts() {
        int checked = 0;
        for (JsonNode c : Fixtures.broadcastCases()) {
            if (!c.get("refused").isNull()) {
                continue;
            }
            Shape targets = Fixtures.shape(c.get("targets"));
            Shape weights = Fixtures.shape(c.get("weights"));
            Tensor w = Tensor.allocate(DType.FLOAT64, weights);
            for (long i = 0; i < w.count(); i++) {
                w.setDouble(i, i + 1);
            }
            for (int a = targets.rank() == 0 ? -1 : 0; a < targets.rank(); a++) {
                String where = "targets " + targets + ", weights " + weights + ", class axis " + a;
                List<Long> index = longs(a < 0 ? c.get("index") : c.get("moved").get(Integer.toString(a)));
                Tensor weighted = lossOf(targets, w, a);
                Tensor unit = lossOf(Fixtures.shape(c.get("loss")), null, a);
                assertEquals(index.size(), weighted.count(), where);
                for (int i = 0; i < index.size(); i++) {
                    double expected = unit.getDouble(i) * (index.get(i) + 1);
                    assertEquals(expected, weighted.getDouble(i), Math.ulp(expected), where + ", element " + i);
                }
                checked++;
            }
        }
        assertTrue(checked >= 45, "shapes and axes checked: " + checked);
    }

    /** The per-element loss, in the evaluation's layout, of logits 0.5 and targets 0 (gamma 0, alpha 0.5). */
    private static Tensor lossOf(Shape targets, Tensor weights, int classAxis) {
        Tensor logits = Tensor.allocate(DType.FLOAT64, targets);
        for (long i = 0; i < logits.count(); i++) {
            logits.setDouble(i, 0.5);
        }
        EvalInputs in = new EvalInputs(logits, "l", Tensor.allocate(DType.FLOAT64, targets), "t", weights, "w",
                classAxis);
        Tensor loss = Tensor.allocate(DType.FLOAT64, in.logits.shape());
        new FocalEvaluation(in, 0, 0.5, 1, 0, Kernels.polynomial()).run(loss, null, 0, 1);
        return loss;
    }

    /** No weights: every stride 0, over the loss as it is. */
    @Test
    void noWeightsAreOneValueEverywhere() {
        WeightBroadcast none = WeightBroadcast.none(Shape.of(2, 4, 3));
        assertEquals(Shape.of(2, 4, 3), none.loss());
        assertEquals("[0, 0, 0]", java.util.Arrays.toString(none.strides()));
        assertEquals(Shape.of(2, 3, 4), none.moveAxisLast(1).loss());
    }

    @Test
    void refusalsSayWhichRuleFailedAndWhatWouldBeAccepted() {
        assertEquals("w.npy: weights (2, 4, 2) do not broadcast to the loss (2, 4, 3) (axis 2: 2 vs 3); accepted: "
                + "(B, A) = (2, 4), or a 3-D shape that broadcasts to (2, 4, 3) such as (2, 4, 1)",
                refusal(Shape.of(2, 4, 3), Shape.of(2, 4, 2)));
        assertEquals("w.npy: 1-D weights (4,) with 3-D targets (2, 4, 3): the reference's ndim assertion fails; "
                + "accepted: (B, A) = (2, 4), or a 3-D shape that broadcasts to (2, 4, 3) such as (2, 4, 1)",
                refusal(Shape.of(2, 4, 3), Shape.of(4)));
        assertEquals("w.npy: 2-D weights (4, 3) get a trailing axis (the reference's rule) and become 3-D, but the "
                + "targets (4, 3) are 2-D: the reference's ndim assertion fails; accepted: (N,) = (4,), broadcast over "
                + "the classes", refusal(Shape.of(4, 3), Shape.of(4, 3)));
        assertEquals("w.npy: 0-d scalar weights fail the reference's ndim assertion; accepted: (N,) = (5,)",
                refusal(Shape.of(5), Shape.of()));
        assertEquals("w.npy: 1-D weights (1,) with 0-D targets (): the reference's ndim assertion fails; accepted: "
                + "() (0-d weights), or no weights", refusal(Shape.of(), Shape.of(1)));
        assertEquals("w.npy: 3-D weights (2, 3, 2) with 4-D targets (2, 3, 2, 3): the reference's ndim assertion "
                + "fails; accepted: a 4-D shape that broadcasts to (2, 3, 2, 3), such as (2, 3, 2, 1)",
                refusal(Shape.of(2, 3, 2, 3), Shape.of(2, 3, 2)));
    }

    private static String refusal(Shape targets, Shape weights) {
        return assertThrows(FocalException.class, () -> WeightBroadcast.of(targets, weights, "w.npy")).getMessage();
    }

    /** The weights' flat index of each loss element in C order: the sum of its index times the strides. */
    private static List<Long> weightIndex(WeightBroadcast b) {
        Shape loss = b.loss();
        long[] strides = b.strides();
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < loss.count(); i++) {
            long[] idx = loss.unravel(i);
            long at = 0;
            for (int k = 0; k < idx.length; k++) {
                at += idx[k] * strides[k];
            }
            out.add(at);
        }
        return out;
    }

    private static List<Long> longs(JsonNode values) {
        List<Long> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asLong()));
        return out;
    }
}
