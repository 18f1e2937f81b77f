package dev.focal.loss;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;

/**
 * The three tensors of one evaluation, checked against each other: float logits, targets of
 * the same shape (the reference would broadcast mismatched shapes silently, which hides bugs),
 * and weights laid out by the reference's rule; or logits whose targets and weights are derived
 * block by block (labels mode). The tensors held are views with the class axis last (the loss's
 * layout, docs/semantics.md#class-axis), grown where the weights grow the loss. Names are only
 * used in messages.
 */
public final class EvalInputs {
    public final Tensor logits;
    /** Null when the targets are derived. */
    public final Tensor targets;
    /** Null when no weights were given (all ones), or when they are derived. */
    public final Tensor weights;
    public final WeightBroadcast broadcast;
    /** Null unless the targets and weights are derived. */
    public final DerivedTargets derived;

    public EvalInputs(Tensor logits, String logitsName, Tensor targets, String targetsName,
                      Tensor weights, String weightsName) {
        this(logits, logitsName, targets, targetsName, weights, weightsName, logits.shape().rank() - 1);
    }

    /**
     * Inputs whose classes lie on {@code classAxis} of the logits and targets as given (the last
     * axis when it is rank - 1, or -1 for 0-d inputs); the weights broadcast against the targets
     * as given, and the loss is then seen with that axis moved last.
     */
    public EvalInputs(Tensor logits, String logitsName, Tensor targets, String targetsName,
                      Tensor weights, String weightsName, int classAxis) {
        checkLogits(logits, logitsName);
        if (!logits.shape().equals(targets.shape())) {
            throw FocalException.input(targetsName, "targets have shape " + targets.shape()
                    + " but logits have shape " + logits.shape()
                    + "; they must be identical (the reference would broadcast them silently)");
        }
        WeightBroadcast given = weights == null
                ? WeightBroadcast.none(logits.shape())
                : WeightBroadcast.of(targets.shape(), weights.shape(), weightsName);
        this.logits = moved(logits.expand(given.loss()), classAxis);
        this.targets = moved(targets.expand(given.loss()), classAxis);
        this.weights = weights;
        this.broadcast = given.moveAxisLast(classAxis);
        this.derived = null;
    }

    private static Tensor moved(Tensor t, int classAxis) {
        return classAxis < 0 ? t : t.moveAxisLast(classAxis);
    }

    /** Logits whose targets and weights are {@code derived}, which must have made them for this shape. */
    public EvalInputs(Tensor logits, String logitsName, DerivedTargets derived) {
        checkLogits(logits, logitsName);
        this.logits = logits;
        this.targets = null;
        this.weights = null;
        this.broadcast = WeightBroadcast.none(logits.shape());
        this.derived = derived;
    }

    private static void checkLogits(Tensor logits, String logitsName) {
        if (!logits.dtype().isFloat()) {
            throw FocalException.input(logitsName, "logits have dtype " + logits.dtype().numpyName()
                    + "; they must be float16, float32 or float64");
        }
    }

    /**
     * float64 when any input is float64, else float32 (the dtype PyTorch would compute in); derived
     * targets and weights are float32.
     */
    public DType naturalOutputType() {
        boolean f64 = logits.dtype() == DType.FLOAT64 || (targets != null && targets.dtype() == DType.FLOAT64)
                || (weights != null && weights.dtype() == DType.FLOAT64);
        return f64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /** The target at a flat loss index. */
    public double targetAt(long flatIndex) {
        return derived != null ? derived.target(flatIndex) : targets.getDouble(flatIndex);
    }

    /** The weight applied at a flat loss index (1 when no weights were given). */
    public double weightAt(long flatIndex) {
        if (derived != null) {
            return derived.weight(flatIndex);
        }
        if (weights == null) {
            return 1.0;
        }
        long[] idx = logits.shape().unravel(flatIndex);
        long[] strides = broadcast.strides();
        long at = 0;
        for (int k = 0; k < idx.length; k++) {
            at += idx[k] * strides[k];
        }
        return weights.getDouble(at);
    }
}
