package dev.focal.head;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-head anchor head's logits, one tensor per head (docs/semantics.md#multi-head-anchor-heads),
 * laid side by side in the (B, A, C) loss the labels describe: head h's anchors follow the earlier
 * heads' in every sample, as AnchorHeadMulti.get_cls_layer_loss walks box_cls_labels. In the shared
 * form each head has all C columns; in the separate form head h has the next C_h columns, and the
 * columns it does not have hold a logit whose loss, focal factor and gradient are exactly 0 (with
 * the zero weight and target the labels give them there).
 */
public final class MultiHead {
    /** The stand-in logit of a column a head does not have: exp(-|x|) is 0, so every term is 0. */
    static final double ABSENT = -Float.MAX_VALUE;

    public final Tensor logits;
    public final boolean separate;
    /** Each head's anchors per sample and classes (all C in the shared form). */
    public final LabelTargets.Heads heads;
    public final List<String> names;

    private MultiHead(Tensor logits, boolean separate, LabelTargets.Heads heads, List<String> names) {
        this.logits = logits;
        this.separate = separate;
        this.heads = heads;
        this.names = List.copyOf(names);
    }

    /**
     * Lays out {@code heads} (each viewed as (B, -1, C_h) with C_h its last axis, as the head
     * views it) for labels of shape (B, A) and {@code classes} classes in all. Refuses, naming the
     * counts, heads whose last axes are neither all C nor add up to C, a head whose batch is not
     * B, and anchors that do not add up to A.
     */
    public static MultiHead of(List<Tensor> heads, List<String> names, Shape labels, int classes, long maxElements) {
        String labelsShape = labels.toString();
        if (labels.rank() != 2) {
            throw FocalException.input(names.get(0), "several --logits are the heads of a multi-head anchor head,"
                    + " which need (B, A) labels, not " + labelsShape);
        }
        long b = labels.dim(0);
        int n = heads.size();
        int[] widths = new int[n];
        long[] anchors = new long[n];
        long sum = 0;
        boolean shared = true;
        List<String> lasts = new ArrayList<>();
        for (int h = 0; h < n; h++) {
            Shape s = heads.get(h).shape();
            long last = s.rank() == 0 ? 1 : s.dim(s.rank() - 1);
            if (s.rank() < 2 || last < 1 || last > classes || s.dim(0) != b) {
                throw FocalException.input(names.get(h), "head " + h + " has shape " + s + "; each head's logits are"
                        + " (B, ..., C_h) with B = " + b + " (the labels " + labelsShape + ") and C_h from 1 to"
                        + " --num-classes " + classes);
            }
            widths[h] = (int) last;
            lasts.add(Long.toString(last));
            sum += last;
            shared &= last == classes;
            anchors[h] = s.count() / (b * last);
        }
        boolean separate = !shared;
        if (separate && sum != classes) {
            throw FocalException.input(names.get(0), "the heads' last axes are " + String.join(", ", lasts) + " (sum "
                    + sum + "): a multi-head's heads either all have --num-classes " + classes + " columns (shared"
                    + " classes) or add up to it (separate classes)");
        }
        long total = 0;
        for (long a : anchors) {
            total += a;
        }
        if (total != labels.dim(1)) {
            List<String> counts = new ArrayList<>();
            for (long a : anchors) {
                counts.add(Long.toString(a));
            }
            throw FocalException.input(names.get(0), "the heads have " + String.join(" + ", counts) + " = " + total
                    + " anchors per sample, but the labels " + labelsShape + " have " + labels.dim(1));
        }
        Shape loss = Shape.of(b, total, classes);
        if (loss.count() > maxElements) {
            throw FocalException.input(names.get(0), "the heads' (B, A, C) loss " + loss + " has " + loss.count()
                    + " elements, over the " + maxElements + " this heap holds; raise -Xmx (JAVA_OPTS)");
        }
        DType type = heads.stream().anyMatch(t -> t.dtype() == DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        Tensor out = Tensor.allocate(type, loss);
        long a0 = 0;
        int c0 = 0;
        for (int h = 0; h < n; h++) {
            Tensor x = heads.get(h);
            if (!x.dtype().isFloat()) {
                throw FocalException.input(names.get(h), "logits have dtype " + x.dtype().numpyName()
                        + "; they must be float16, float32 or float64");
            }
            int w = widths[h];
            for (long s = 0; s < b; s++) {
                for (long a = 0; a < anchors[h]; a++) {
                    long row = (s * total + a0 + a) * classes;
                    for (int c = 0; c < classes; c++) {
                        boolean own = c >= c0 && c < c0 + w;
                        out.setDouble(row + c, own ? x.getDouble((s * anchors[h] + a) * w + c - c0) : ABSENT);
                    }
                }
            }
            a0 += anchors[h];
            c0 += separate ? w : 0;
        }
        return new MultiHead(out, separate, new LabelTargets.Heads(anchors, widths), names);
    }
}
