package dev.focal.loss;

import dev.focal.FocalException;
import dev.focal.tensor.Shape;

/**
 * How weights line up with the loss, by the reference's rule (docs/semantics.md#weight-broadcast): weights of
 * ndim 2, or of ndim 1 when the target has ndim 2, get a trailing axis; then their ndim must equal
 * the loss's and their sizes must broadcast; a targets axis of 1 facing a longer weights axis
 * grows the loss along it, as the reference's {@code loss * weights} does. Refusals are input
 * errors (exit 3) that say which rule failed and which weight shapes would be accepted.
 */
public final class WeightBroadcast {
    private final Shape loss;
    private final long[] strides;

    private WeightBroadcast(Shape loss, long[] strides) {
        this.loss = loss;
        this.strides = strides;
    }

    /** The loss's shape: the targets', grown where the weights are longer. */
    public Shape loss() {
        return loss;
    }

    /** The same weights seen through {@link dev.focal.tensor.Tensor#moveAxisLast}{@code (axis)} of the loss. */
    public WeightBroadcast moveAxisLast(int axis) {
        int r = strides.length;
        if (axis < 0 || axis == r - 1) {
            return this;
        }
        return new WeightBroadcast(Shape.of(Shape.movedLast(loss.dims(), axis)), Shape.movedLast(strides, axis));
    }

    /** Element strides of the weights over the loss's axes; 0 on broadcast axes. */
    public long[] strides() {
        return strides.clone();
    }

    /** Weights of all ones: every stride 0 over a single stored value. */
    public static WeightBroadcast none(Shape loss) {
        return new WeightBroadcast(loss, new long[loss.rank()]);
    }

    /** How {@code weights} meet targets of shape {@code targets}; the loss may grow (see {@link #loss}). */
    public static WeightBroadcast of(Shape targets, Shape weights, String weightsName) {
        Shape loss = targets;
        int rank = loss.rank();
        long[] w = weights.dims();
        if (w.length == 2 || (w.length == 1 && rank == 2)) {
            long[] expanded = java.util.Arrays.copyOf(w, w.length + 1);
            expanded[w.length] = 1;
            w = expanded;
        }
        if (weights.rank() == 0 && rank != 0) {
            throw refuse(weightsName, "0-d scalar weights fail the reference's ndim assertion", loss);
        }
        if (w.length != rank) {
            String how = w.length == weights.rank()
                    ? weights.rank() + "-D weights " + weights + " with " + rank + "-D targets " + loss
                    : weights.rank() + "-D weights " + weights + " get a trailing axis (the reference's rule)"
                            + " and become " + w.length + "-D, but the targets " + loss + " are " + rank + "-D";
            throw refuse(weightsName, how + ": the reference's ndim assertion fails", loss);
        }
        long[] strides = new long[rank];
        long[] grown = loss.dims();
        long acc = 1;
        for (int i = rank - 1; i >= 0; i--) {
            if (w[i] == loss.dim(i) || loss.dim(i) == 1) {
                strides[i] = w[i] == 1 ? 0 : acc;
                grown[i] = w[i];
            } else if (w[i] == 1) {
                strides[i] = 0;
            } else {
                throw refuse(weightsName, "weights " + weights + " do not broadcast to the loss " + loss
                        + " (axis " + i + ": " + w[i] + " vs " + loss.dim(i) + ")", loss);
            }
            acc *= w[i];
        }
        return new WeightBroadcast(Shape.of(grown), strides);
    }

    private static FocalException refuse(String name, String problem, Shape loss) {
        return FocalException.input(name, problem + "; accepted: " + accepted(loss));
    }

    /** The weight shapes the rule accepts for this loss shape, in the user's numbers. */
    static String accepted(Shape loss) {
        int r = loss.rank();
        long[] d = loss.dims();
        switch (r) {
            case 0:
                return "() (0-d weights), or no weights";
            case 1:
                return "(N,) = " + loss;
            case 2:
                return "(N,) = (" + d[0] + ",), broadcast over the classes";
            case 3:
                return "(B, A) = (" + d[0] + ", " + d[1] + "), or a 3-D shape that broadcasts to " + loss
                        + " such as (" + d[0] + ", " + d[1] + ", 1)";
            default: {
                long[] ones = d.clone();
                ones[r - 1] = 1;
                return "a " + r + "-D shape that broadcasts to " + loss + ", such as " + Shape.of(ones);
            }
        }
    }
}
