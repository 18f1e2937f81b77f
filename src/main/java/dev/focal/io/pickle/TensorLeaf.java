package dev.focal.io.pickle;

import dev.focal.tensor.Tensor;

/** An array a pickle holds, made into a tensor only when asked for. */
public interface TensorLeaf {
    /** The tensor; {@code display} names it in messages ({@code dump.pt:head/cls_preds}). */
    Tensor tensor(String display);
}
