package dev.focal.stats;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The summary of one evaluation, as plain values: what the table, the JSON summary, the golden
 * file check and the HTML report all show, each rendered from this and nothing else. A figure
 * that can be undefined (a mean over no anchors) is an {@link OptionalDouble}; a figure that is
 * defined can still be NaN or infinite, when the data are.
 *
 * @param inputs what was evaluated and how
 * @param labels the labels mode's settings, when targets and weights were derived from labels
 * @param loss   the loss over all elements
 * @param kinds  positive, negative and ignored anchors, in {@link AnchorKind} order
 * @param samples per sample, in labels mode (empty otherwise)
 * @param classes per class (the last axis)
 * @param top    the elements with the largest loss, NaN first, when --top asked for them
 * @param histograms the distributions of the loss and of p_t, when a report asked for them
 * @param bev    the loss and the positive anchors per cell of the grid, when a report asked for them
 *               and there is a grid
 */
public record EvalSummary(Inputs inputs, Optional<Labels> labels, Loss loss, List<Kind> kinds,
                          List<Sample> samples, List<ClassFigures> classes, NonFinite nonFinite,
                          Optional<List<TopElement>> top, List<String> warnings,
                          Optional<Histograms> histograms, Optional<Bev> bev) {

    /**
     * @param shape         of the loss (the logits, in labels mode reshaped to (B, A, C))
     * @param dtype         of the outputs, numpy's name
     * @param logitsDtype   of the logits as read
     * @param weights       "given", "default" (all ones) or "derived" (from labels)
     * @param weightsSource the weights' file, or how they were made
     * @param loss          the loss function's --loss name
     */
    public record Inputs(double gamma, double alpha, double lossWeight, long[] shape, String dtype,
                         String logitsDtype, String weights, String weightsSource, String loss) {
        /** Whether the loss is a heatmap loss, whose kinds are peaks, near and background elements. */
        public boolean heatmap() {
            return !loss.equals("sigmoid-focal");
        }
    }

    /** {@code heads}: a multi-head anchor head's heads, in order; empty for one head. */
    public record Labels(String file, int numClasses, String background, String normalize, double posWeight,
                         double negWeight, List<Head> heads) {
    }

    /**
     * One head of a multi-head: its logits, anchors per sample, classes and first class column,
     * and (separate form) its share of rpn_loss_cls, its loss sum divided by B, times cls_weight.
     */
    public record Head(String logits, long anchors, int classes, int firstClass, OptionalDouble loss) {
    }

    /**
     * {@code elements} is what {@code mean} divides the sum by: the loss's elements, but for the
     * columns a separate multi-head's heads do not have; {@code perBatch} is sum / shape[0],
     * OpenPCDet's rpn_loss_cls (the sum itself for a 0-d loss); {@code head} the number the
     * training log shows, where focal knows the head (docs/semantics.md#the-heads-number).
     */
    public record Loss(double sum, long elements, OptionalDouble mean, OptionalDouble perBatch, OptionalDouble head) {
    }

    /**
     * One kind of anchor: its count, loss sum, mean loss per anchor, share of the total loss and
     * mean focal factor q^gamma over its elements.
     */
    public record Kind(AnchorKind kind, long anchors, double lossSum, OptionalDouble lossMean, OptionalDouble share,
                       OptionalDouble focalMean) {
    }

    /** For a heatmap loss, the three counts are of peak, near and background elements, and the normalizer NaN. */
    public record Sample(long positives, long negatives, long ignored, double normalizer, double lossSum) {
    }

    /** {@code index} is the column of the last axis; {@code name} the user's or "class N". */
    public record ClassFigures(int index, String name, long positives, double lossSum) {
    }

    /**
     * NaN and infinite values: logits, and losses by kind of anchor and by kind of value; the
     * first index of each, where there is one.
     */
    public record NonFinite(long logits, long[] lossByKind, List<Optional<At>> firstByKind, long nan, long inf,
                            Optional<long[]> firstNan, Optional<long[]> firstInf) {
        public long loss() {
            long n = 0;
            for (long k : lossByKind) {
                n += k;
            }
            return n;
        }
    }

    /** Where a non-finite loss is, and the logit there. */
    public record At(long[] index, double logit) {
    }

    /**
     * The cells of the first {@code grid.samples()} samples, sample by sample, then row-major
     * (h, w): each cell's loss (summed over its anchors and classes) and its positive anchors.
     */
    public record Bev(Grid grid, double[] loss, long[] positives) {
        public double loss(int sample, int h, int w) {
            return loss[index(sample, h, w)];
        }

        public long positives(int sample, int h, int w) {
            return positives[index(sample, h, w)];
        }

        private int index(int sample, int h, int w) {
            return (sample * grid.height() + h) * grid.width() + w;
        }
    }

    /** An element of the loss: its index, class (last-axis column), inputs and loss. */
    public record TopElement(long[] index, long classIndex, double logit, double target, double weight, double loss) {
    }

    /** All anchors, of every kind. */
    public long anchors() {
        long n = 0;
        for (Kind k : kinds) {
            n += k.anchors();
        }
        return n;
    }

    /** A kind's name: an anchor kind's, or for a heatmap loss an element kind's. */
    public String label(AnchorKind k) {
        return k.label(inputs.heatmap());
    }

    /** The same summary without its top elements (those a report asked for and --top did not). */
    public EvalSummary withoutTop() {
        return new EvalSummary(inputs, labels, loss, kinds, samples, classes, nonFinite, Optional.empty(), warnings,
                histograms, bev);
    }

    public Kind kind(AnchorKind k) {
        return kinds.get(k.ordinal());
    }
}
