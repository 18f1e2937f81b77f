package dev.focal.head;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;

/**
 * OpenPCDet's way from integer anchor labels to the loss's one-hot targets and weights
 * (docs/semantics.md#labels-to-targets): negative labels are ignored (weight 0, all-zero target row), the
 * background gets weight {@code negWeight}, classes {@code posWeight}, and weights are divided
 * by the number of positives of the sample, of the batch, or not at all. Targets and weights
 * are float32, as the heads build them, so the loss sees the values the framework feeds it.
 */
public final class LabelTargets {
    /** Where the background sits among the label values. */
    public enum Background {
        /** OpenPCDet: 0 is background, classes are 1..C. */
        FIRST,
        /** TransFusion, mmdet, mmdet3d: C is background, classes are 0..C-1. */
        LAST
    }

    /** What the weights are divided by. */
    public enum Normalize {
        /** max(positives in the sample, 1): the anchor head. */
        PER_SAMPLE,
        /** max(positives in the batch, 1): the point head, TransFusion. */
        BATCH,
        NONE
    }

    /** The derived tensors and the per-sample counts behind them. */
    public static final class Result {
        /** One-hot targets, shape of the labels plus a class axis of C. */
        public final Tensor targets;
        /** Weights, shape of the labels. */
        public final Tensor weights;
        public final long[] positives;
        public final long[] negatives;
        public final long[] ignored;
        /** The divisor applied to each sample's weights. */
        public final float[] normalizer;

        Result(Tensor targets, Tensor weights, long[] positives, long[] negatives, long[] ignored, float[] normalizer) {
            this.targets = targets;
            this.weights = weights;
            this.positives = positives;
            this.negatives = negatives;
            this.ignored = ignored;
            this.normalizer = normalizer;
        }

        public int samples() {
            return positives.length;
        }
    }

    private LabelTargets() {
    }

    /**
     * Derives targets and weights from labels of shape (B, A) (anchor heads) or (N,) (the point
     * head: one sample). Labels above the last valid value are refused, as the reference would
     * crash in its scatter; with C = 1 and the background first, every positive label counts as
     * the one class (the reference's class-agnostic case).
     */
    public static Result derive(Tensor labels, String name, int classes, Background background, Normalize normalize,
                                float posWeight, float negWeight) {
        Shape ls = labels.shape();
        if (ls.rank() != 1 && ls.rank() != 2) {
            throw FocalException.input(name, "labels have shape " + ls + "; expected (B, A) for an anchor head"
                    + " or (N,) for a point head");
        }
        if (!labels.dtype().isInteger() && !labels.dtype().isFloat()) {
            throw FocalException.input(name, "labels have dtype " + labels.dtype().numpyName()
                    + "; expected an integer dtype");
        }
        int samples = ls.rank() == 2 ? Math.toIntExact(ls.dim(0)) : 1;
        long perSample = samples == 0 ? 0 : ls.count() / samples;
        long[] dims = java.util.Arrays.copyOf(ls.dims(), ls.rank() + 1);
        dims[ls.rank()] = classes;
        Tensor targets = Tensor.allocate(DType.FLOAT32, Shape.of(dims));
        Tensor weights = Tensor.allocate(DType.FLOAT32, ls);
        long[] pos = new long[samples];
        long[] neg = new long[samples];
        long[] ign = new long[samples];
        long backgroundLabel = background == Background.FIRST ? 0 : classes;
        boolean classAgnostic = classes == 1 && background == Background.FIRST;
        for (long i = 0; i < ls.count(); i++) {
            long label = label(labels, i, name);
            int s = (int) (i / Math.max(1, perSample));
            if (label < 0) {
                ign[s]++;
                continue;
            }
            if (label == backgroundLabel) {
                neg[s]++;
                weights.setDouble(i, negWeight);
                continue;
            }
            int column;
            if (classAgnostic) {
                column = 0;
            } else if (label > classes || (background == Background.LAST && label == classes)) {
                throw outOfRange(name, ls, i, labels.dtype() == DType.UINT64 ? Long.toUnsignedString(labels.getLong(i))
                        : Long.toString(label), classes, background);
            } else {
                column = (int) (background == Background.FIRST ? label - 1 : label);
            }
            pos[s]++;
            weights.setDouble(i, posWeight);
            targets.setDouble(i * classes + column, 1.0);
        }
        float[] norm = normalizers(pos, normalize);
        for (long i = 0; i < ls.count(); i++) {
            float n = norm[(int) (i / Math.max(1, perSample))];
            // float32 division, as the heads divide their float32 weights.
            weights.setDouble(i, (float) weights.getDouble(i) / n);
        }
        return new Result(targets, weights, pos, neg, ign, norm);
    }

    /**
     * The logits as the head views them: {@code (B, ..., K*C)} reshaped row-major to (B, A, C) for
     * labels (B, A), or to (N, C) for point labels (N,).
     */
    public static Tensor reshapeLogits(Tensor logits, String name, Shape labels, int classes) {
        boolean anchorHead = labels.rank() == 2;
        Shape target = anchorHead ? Shape.of(labels.dim(0), labels.dim(1), classes) : Shape.of(labels.dim(0), classes);
        // The head reshapes with the logits' own batch size, so that must agree with the labels' too.
        long samples = anchorHead ? (logits.shape().rank() >= 2 ? logits.shape().dim(0) : 1) : 1;
        boolean batchAgrees = !anchorHead || samples == labels.dim(0);
        if (logits.count() != target.count() || !batchAgrees) {
            long perSample = samples * classes;
            String got = perSample > 0 && logits.count() % perSample == 0
                    ? "make " + logits.count() / perSample + (anchorHead ? " anchors per sample" : " points")
                    : "are not a multiple of " + (anchorHead ? "B*C = " + perSample : "C = " + classes);
            throw FocalException.input(name, "logits " + logits.shape() + " reshaped to "
                    + (anchorHead ? "(B, -1, C) with B = " + samples + "," : "(-1, C) with") + " C = " + classes
                    + " " + got + ", but the labels " + labels + " have "
                    + (anchorHead ? labels.dim(0) + " samples of " + labels.dim(1) + " anchors" : labels.dim(0) + " points"));
        }
        return logits.reshape(target);
    }

    private static float[] normalizers(long[] positives, Normalize normalize) {
        float[] n = new float[positives.length];
        long total = 0;
        for (long p : positives) {
            total += p;
        }
        for (int s = 0; s < n.length; s++) {
            switch (normalize) {
                case PER_SAMPLE: n[s] = Math.max(positives[s], 1); break;
                case BATCH: n[s] = Math.max(total, 1); break;
                default: n[s] = 1;
            }
        }
        return n;
    }

    private static long label(Tensor labels, long i, String name) {
        if (labels.dtype().isInteger()) {
            long v = labels.getLong(i);
            // uint64 values of 2^63 and more are huge labels, not negative (ignored) ones.
            return labels.dtype() == DType.UINT64 && v < 0 ? Long.MAX_VALUE : v;
        }
        double v = labels.getDouble(i);
        if (v != Math.rint(v) || Math.abs(v) > 1e15) {
            throw FocalException.input(name, "label at " + Shape.indexString(labels.shape().unravel(i)) + " is " + v
                    + ", not an integer");
        }
        return (long) v;
    }

    private static FocalException outOfRange(String name, Shape ls, long i, String label, int classes,
                                             Background background) {
        String valid = background == Background.FIRST
                ? "0 (background) and 1.." + classes
                : "0.." + (classes - 1) + " and " + classes + " (background)";
        return FocalException.input(name, "label " + label + " at " + Shape.indexString(ls.unravel(i))
                + " is out of range for --num-classes " + classes + " (valid: negative = ignored, " + valid
                + "); the reference would crash in scatter");
    }
}
