package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The three tensors of an evaluation checked against each other, and the target and weight each
 * loss element sees: the weights' broadcast is torch's (tools/oracle/broadcast_oracle.py), with the
 * class axis moved last as --class-axis moves it (docs/semantics.md#class-axis).
 */
class EvalInputsTest {

    @Test
    void eachLossElementSeesTheWeightTorchMultipliesItBy() {
        int checked = 0;
        for (JsonNode c : Fixtures.broadcastCases()) {
            // The targets must have the logits' shape, so the loss cannot grow along the targets here.
            Shape targets = Fixtures.shape(c.get("targets"));
            if (!c.get("refused").isNull() || !Fixtures.shape(c.get("loss")).equals(targets) || targets.rank() < 2) {
                continue;
            }
            Tensor logits = Tensor.allocate(DType.FLOAT32, targets);
            Tensor t = Tensor.allocate(DType.FLOAT32, targets);
            for (long i = 0; i < t.count(); i++) {
                t.setDouble(i, i * 0.5);
            }
            Tensor w = Tensor.allocate(DType.FLOAT64, Fixtures.shape(c.get("weights")));
            for (long i = 0; i < w.count(); i++) {
                w.setDouble(i, i);
            }
            for (int axis = 0; axis < targets.rank(); axis++) {
                EvalInputs in = new EvalInputs(logits, "l", t, "t", w, "w", axis);
                JsonNode index = axis == targets.rank() - 1 ? c.get("index") : c.get("moved").get(Integer.toString(axis));
                Tensor movedTargets = t.moveAxisLast(axis);
                for (int i = 0; i < index.size(); i++) {
                    assertEquals(index.get(i).asDouble(), in.weightAt(i), c + ", axis " + axis + ", element " + i);
                    assertEquals(movedTargets.getDouble(i), in.targetAt(i), c + ", axis " + axis + ", element " + i);
                }
                assertEquals(Shape.of(Shape.movedLast(targets.dims(), axis)), in.logits.shape());
                checked++;
            }
        }
        assertTrue(checked >= 30, "cases x axes: " + checked);
    }

    @Test
    void noWeightsWeighOne() {
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(2, 3));
        EvalInputs in = new EvalInputs(logits, "l", logits, "t", null, "w");
        assertEquals(1.0, in.weightAt(4));
        assertNull(in.weights);
        assertNull(in.derived);
    }

    /** torch's type promotion: float64 when any of the three is, else float32 (float16 computes in float32 here). */
    @Test
    void theOutputIsFloat64WhenAnyInputIs() {
        Shape s = Shape.of(4, 2);
        Tensor f16 = Tensor.allocate(DType.FLOAT16, s);
        Tensor f32 = Tensor.allocate(DType.FLOAT32, s);
        Tensor f64 = Tensor.allocate(DType.FLOAT64, s);
        Tensor w32 = Tensor.allocate(DType.FLOAT32, Shape.of(4));
        Tensor w64 = Tensor.allocate(DType.FLOAT64, Shape.of(4));
        assertEquals(DType.FLOAT32, new EvalInputs(f16, "l", f32, "t", w32, "w").naturalOutputType());
        assertEquals(DType.FLOAT32, new EvalInputs(f32, "l", f16, "t", null, "w").naturalOutputType());
        assertEquals(DType.FLOAT64, new EvalInputs(f64, "l", f32, "t", w32, "w").naturalOutputType());
        assertEquals(DType.FLOAT64, new EvalInputs(f32, "l", f64, "t", w32, "w").naturalOutputType());
        assertEquals(DType.FLOAT64, new EvalInputs(f32, "l", f32, "t", w64, "w").naturalOutputType());
        assertEquals(DType.FLOAT32, new EvalInputs(f32, "l", new DerivedOnes()).naturalOutputType());
        assertEquals(DType.FLOAT64, new EvalInputs(f64, "l", new DerivedOnes()).naturalOutputType());
    }

    @Test
    void derivedTargetsAndWeightsComeFromTheirSource() {
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(5, 3));
        DerivedOnes derived = new DerivedOnes();
        EvalInputs in = new EvalInputs(logits, "l", derived);
        assertSame(derived, in.derived);
        assertNull(in.targets);
        assertEquals(7 * 0.25, in.targetAt(7));
        assertEquals(7 * 2.0, in.weightAt(7));
        assertEquals("[0, 0]", java.util.Arrays.toString(in.broadcast.strides()));
    }

    @Test
    void refusalsNameTheFileAndBothShapes() {
        Tensor ints = Tensor.allocate(DType.INT32, Shape.of(2, 3));
        Tensor f32 = Tensor.allocate(DType.FLOAT32, Shape.of(2, 3));
        FocalException e = assertThrows(FocalException.class, () -> new EvalInputs(ints, "l.npy", f32, "t.npy", null, "w"));
        assertEquals("l.npy: logits have dtype int32; they must be float16, float32 or float64", e.getMessage());
        assertEquals(3, e.exitCode());
        e = assertThrows(FocalException.class, () -> new EvalInputs(ints, "l.npy", new DerivedOnes()));
        assertEquals("l.npy: logits have dtype int32; they must be float16, float32 or float64", e.getMessage());
        Tensor other = Tensor.allocate(DType.FLOAT32, Shape.of(2, 1));
        e = assertThrows(FocalException.class, () -> new EvalInputs(f32, "l.npy", other, "t.npy", null, "w"));
        assertEquals("t.npy: targets have shape (2, 1) but logits have shape (2, 3); they must be identical "
                + "(the reference would broadcast them silently)", e.getMessage());
        assertEquals(3, e.exitCode());
    }

    /** Targets i / 4 and weights 2 i at flat index i. */
    private static final class DerivedOnes implements DerivedTargets {
        @Override
        public void read(long firstAnchor, int count, double[] targets, double[] weights) {
            throw new AssertionError("not read here");
        }

        @Override
        public double target(long index) {
            return index * 0.25;
        }

        @Override
        public double weight(long index) {
            return index * 2.0;
        }

        @Override
        public boolean weightsPerAnchor() {
            throw new AssertionError("not asked here");
        }
    }
}
