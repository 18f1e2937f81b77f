package dev.focal.head;

import dev.focal.FocalException;
import dev.focal.loss.DerivedTargets;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import dev.focal.tensor.Transposer;
import java.util.function.LongToIntFunction;

/**
 * OpenPCDet's way from integer anchor labels to the loss's one-hot targets and weights
 * (docs/semantics.md#labels-to-targets): negative labels are ignored (weight 0, all-zero target row), the
 * background gets weight {@code negWeight}, classes {@code posWeight}, and weights are divided
 * by the number of positives of the sample, of the batch, or not at all. Targets and weights
 * are float32 values, as the heads build them, so the loss sees the values the framework feeds it.
 * <p>
 * They are made block by block as the pass reads them, never held whole: for a big head they
 * would be five times the labels, on the heap, where the labels and logits are memory-mapped.
 * Only the normalisers need the whole labels, and {@link #derive} counts them in a first pass.
 */
public final class LabelTargets implements DerivedTargets {
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

    /** {@link #column}'s answers for labels without a one-hot column. */
    private static final long IGNORED = -1;
    private static final long BACKGROUND = -2;
    /** Anchors counted, and derived for {@link #write}, at a time. */
    private static final int CHUNK_ANCHORS = 1 << 12;

    public final long[] positives;
    public final long[] negatives;
    public final long[] ignored;
    /** The divisor applied to each sample's weights. */
    public final float[] normalizer;
    private final Tensor labels;
    private final String name;
    private final int classes;
    private final boolean backgroundFirst;
    private final long backgroundLabel;
    private final boolean classAgnostic;
    private final long anchorsPerSample;
    /** Each sample's weights of positive and negative anchors, divided as the head divides them. */
    private final float[] positiveWeight;
    private final float[] negativeWeight;
    /** The heads of a separate multi-head (their anchors and columns), or null: every anchor has every column. */
    private Heads heads;

    /**
     * A separate multi-head's layout (docs/semantics.md#multi-head-anchor-heads): head h owns
     * {@code anchors[h]} consecutive anchors of each sample and {@code classes[h]} consecutive
     * one-hot columns. Its anchors have weight and target 0 in the other heads' columns, so that
     * those elements of the (B, A, C) loss are 0, as the head never evaluates them.
     */
    public record Heads(long[] anchors, int[] classes) {
        /** The head owning anchor {@code a} of a sample. */
        int of(long a) {
            int h = 0;
            long end = anchors[0];
            while (a >= end && h < anchors.length - 1) {
                end += anchors[++h];
            }
            return h;
        }

        int firstClass(int h) {
            int c = 0;
            for (int k = 0; k < h; k++) {
                c += classes[k];
            }
            return c;
        }
    }

    @Override
    public boolean weightsPerAnchor() {
        return heads == null;
    }

    /** A separate multi-head's anchor has its head's C_h classes (AnchorHeadMulti's A_h * C_h elements a head). */
    @Override
    public LongToIntFunction evaluatedClasses() {
        Heads h = heads;
        return h == null ? null : anchor -> h.classes()[h.of(anchor % anchorsPerSample)];
    }

    /** Restricts each anchor to its head's columns (a separate multi-head). */
    public void separateHeads(Heads heads) {
        this.heads = heads;
    }

    private LabelTargets(Tensor labels, String name, int classes, Background background, Normalize normalize,
                         float posWeight, float negWeight) {
        this.labels = labels;
        this.name = name;
        this.classes = classes;
        backgroundFirst = background == Background.FIRST;
        backgroundLabel = backgroundFirst ? 0 : classes;
        Shape ls = labels.shape();
        // The anchor heads remap every positive label to the one class; the point head does not, and fails on them.
        classAgnostic = classes == 1 && backgroundFirst && ls.rank() == 2;
        int samples = ls.rank() == 2 ? Math.toIntExact(ls.dim(0)) : 1;
        anchorsPerSample = Math.max(1, samples == 0 ? 0 : ls.count() / samples);
        positives = new long[samples];
        negatives = new long[samples];
        ignored = new long[samples];
        for (int s = 0; s < samples; s++) {
            long end = Math.min(ls.count(), (s + 1) * anchorsPerSample);
            for (long i = s * anchorsPerSample; i < end; i += CHUNK_ANCHORS) {
                count(i, (int) Math.min(CHUNK_ANCHORS, end - i), s, background);
            }
        }
        normalizer = normalizers(positives, normalize);
        positiveWeight = new float[samples];
        negativeWeight = new float[samples];
        for (int s = 0; s < samples; s++) {
            // float32 division, as the heads divide their float32 weights.
            positiveWeight[s] = posWeight / normalizer[s];
            negativeWeight[s] = negWeight / normalizer[s];
        }
    }

    /**
     * Counts {@code n} anchors of sample {@code s} from {@code first} by kind. A method of its own,
     * called for every few thousand anchors, so that the JIT compiles it: the launcher keeps the
     * optimising compiler from compiling a running loop, and one loop over every label would run
     * in the quick compiler's code, several times slower (BENCHMARKS.md).
     */
    private void count(long first, int n, int s, Background background) {
        for (long i = first; i < first + n; i++) {
            long column = column(label(i));
            if (column == IGNORED) {
                ignored[s]++;
            } else if (column == BACKGROUND) {
                negatives[s]++;
            } else if (column < classes) {
                positives[s]++;
            } else {
                throw outOfRange(i, background);
            }
        }
    }

    /**
     * Counts the anchors of labels of shape (B, A) (anchor heads) or (N,) (the point head: one
     * sample) and makes the normalisers. Labels above the last valid value are refused, as the
     * reference would crash in its scatter; with C = 1, the background first and (B, A) labels,
     * every positive label counts as the one class (the anchor heads' class-agnostic case).
     */
    public static LabelTargets derive(Tensor labels, String name, int classes, Background background,
                                      Normalize normalize, float posWeight, float negWeight) {
        Shape ls = labels.shape();
        if (ls.rank() != 1 && ls.rank() != 2) {
            throw FocalException.input(name, "labels have shape " + ls + "; expected (B, A) for an anchor head"
                    + " or (N,) for a point head");
        }
        if (!labels.dtype().isInteger() && !labels.dtype().isFloat()) {
            throw FocalException.input(name, "labels have dtype " + labels.dtype().numpyName()
                    + "; expected an integer dtype");
        }
        return new LabelTargets(labels, name, classes, background, normalize, posWeight, negWeight);
    }

    public int samples() {
        return positives.length;
    }

    /** The one-hot targets' shape: the labels' plus a class axis of C. */
    public Shape targetsShape() {
        long[] dims = java.util.Arrays.copyOf(labels.shape().dims(), labels.shape().rank() + 1);
        dims[dims.length - 1] = classes;
        return Shape.of(dims);
    }

    /** The weights' shape: the labels'. */
    public Shape weightsShape() {
        return labels.shape();
    }

    @Override
    public void read(long firstAnchor, int count, double[] targets, double[] weights) {
        fill(firstAnchor, count, targets, weights);
        if (heads != null) {
            for (int j = 0; j < count; j++) {
                int h = heads.of((firstAnchor + j) % anchorsPerSample);
                int from = heads.firstClass(h);
                int to = from + heads.classes()[h];
                for (int c = 0; c < classes; c++) {
                    if (c < from || c >= to) {
                        targets[c * count + j] = 0;
                        weights[c * count + j] = 0;
                    }
                }
            }
        }
    }

    /** {@link #read} before the heads' columns are applied: the reference's one-hot rows and anchor weights. */
    private void fill(long firstAnchor, int count, double[] targets, double[] weights) {
        java.util.Arrays.fill(targets, 0, count * classes, 0.0);
        for (int from = 0, to; from < count; from = to) {
            int s = (int) ((firstAnchor + from) / anchorsPerSample);
            to = (int) Math.min(count, (s + 1) * anchorsPerSample - firstAnchor);
            for (int j = from; j < to; j++) {
                long column = column(label(firstAnchor + j));
                if (column >= 0) {
                    targets[(int) column * count + j] = 1;
                }
                weights[j] = weight(column, s);
            }
        }
        for (int c = 1; c < classes; c++) {
            System.arraycopy(weights, 0, weights, c * count, count);
        }
    }

    @Override
    public double target(long index) {
        return inHead(index) && column(label(index / classes)) == index % classes ? 1 : 0;
    }

    @Override
    public double weight(long index) {
        long anchor = index / classes;
        return inHead(index) ? weight(column(label(anchor)), (int) (anchor / anchorsPerSample)) : 0;
    }

    /** Whether the element at a flat index is one its anchor's head evaluates. */
    private boolean inHead(long index) {
        if (heads == null) {
            return true;
        }
        int h = heads.of(index / classes % anchorsPerSample);
        long c = index % classes;
        return c >= heads.firstClass(h) && c < heads.firstClass(h) + heads.classes()[h];
    }

    private float weight(long column, int sample) {
        return column >= 0 ? positiveWeight[sample] : column == BACKGROUND ? negativeWeight[sample] : 0;
    }

    /**
     * Writes the targets and the weights (either sink may be null) as float32 in C order, a block
     * of anchors at a time, so that a file sink holds no more of them than that.
     */
    public void write(TensorSink targets, TensorSink weights) {
        long anchors = labels.count();
        int n = (int) Math.min(CHUNK_ANCHORS, anchors);
        double[] t = new double[n * classes];
        double[] w = new double[n * classes];
        float[] rows = new float[n * classes];
        for (long a0 = 0; a0 < anchors; a0 += n) {
            int count = (int) Math.min(n, anchors - a0);
            // The anchors' weights before the heads' columns zero some: the reference's cls_weights.
            fill(a0, count, t, w);
            if (weights != null) {
                Transposer.SCALAR.toRows(w, count, 1, rows);
                weights.writeFloats(a0, rows, count);
            }
            if (targets != null) {
                read(a0, count, t, w);
                Transposer.SCALAR.toRows(t, count, classes, rows);
                targets.writeFloats(a0 * classes, rows, count * classes);
            }
        }
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
                    + (anchorHead ? labels.dim(0) + " samples of " + labels.dim(1) + " anchors" : labels.dim(0) + " points")
                    + fittingClasses(logits.count(), labels.count(), classes));
        }
        return logits.reshape(target);
    }

    /** Which number of classes would make the logits exactly the labels' anchors, for the message. */
    private static String fittingClasses(long logits, long labels, int classes) {
        // No logits make no C: "C = 0 fits them" would name a class count the option refuses.
        if (labels > 0 && logits > 0 && logits % labels == 0 && logits / labels != classes) {
            return "; C = " + logits / labels + " fits them (the logits hold " + logits / labels + " values per label)";
        }
        return labels > 0 && logits % labels != 0 ? "; no C fits them: " + logits + " logits are not a multiple of "
                + labels + " labels" : "";
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

    /** The one-hot column of a label: IGNORED, BACKGROUND, or the class's; C or more when it is out of range. */
    private long column(long label) {
        if (label < 0) {
            return IGNORED;
        }
        if (label == backgroundLabel) {
            return BACKGROUND;
        }
        return classAgnostic ? 0 : backgroundFirst ? label - 1 : label;
    }

    private long label(long i) {
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

    private FocalException outOfRange(long i, Background background) {
        String label = labels.dtype() == DType.UINT64 ? Long.toUnsignedString(labels.getLong(i))
                : Long.toString(label(i));
        String valid = background == Background.FIRST
                ? "0 (background) and 1.." + classes
                : "0.." + (classes - 1) + " and " + classes + " (background)";
        return FocalException.input(name, "label " + label + " at " + Shape.indexString(labels.shape().unravel(i))
                + " is out of range for --num-classes " + classes + " (valid: negative = ignored, " + valid
                + "); the reference would crash in scatter");
    }
}
