package dev.focal.cli;

import dev.focal.head.LabelTargets;
import dev.focal.loss.EvalInputs;
import dev.focal.loss.LossFunction;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.LossAccumulator;
import dev.focal.stats.TopK;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Builds the {@link EvalSummary} of an eval run from its options, inputs and accumulated figures. */
final class EvalSummaries {
    private EvalSummaries() {
    }

    static EvalSummary of(LossFunction function, double gamma, double alpha, double lossWeight, EvalInputs in, String weightsSource,
                          DType outputType, LossAccumulator acc, Optional<List<String>> classNames,
                          Optional<HeadLabels> head, int topK, List<String> warnings) {
        Shape shape = in.logits.shape();
        double sum = acc.totalLoss();
        String weights = head.isPresent() ? "derived" : in.weights == null ? "default" : "given";
        EvalSummary.Inputs inputs = new EvalSummary.Inputs(gamma, alpha, lossWeight, shape.dims(),
                outputType.numpyName(), in.logits.dtype().numpyName(), weights, weightsSource, function.cliName());
        OptionalDouble perBatch = shape.rank() == 0 ? OptionalDouble.of(sum) : ratio(sum, shape.dim(0));
        // Over the elements the loss has: a separate multi-head's absent columns are none (A_h * C_h a head).
        EvalSummary.Loss loss = new EvalSummary.Loss(sum, acc.elements(), ratio(sum, acc.elements()), perBatch,
                head(function, sum, perBatch, acc, head));

        List<EvalSummary.Kind> kinds = new ArrayList<>();
        long[] nonFiniteByKind = new long[AnchorKind.values().length];
        List<Optional<EvalSummary.At>> firstByKind = new ArrayList<>();
        for (AnchorKind k : AnchorKind.values()) {
            long n = acc.anchors(k);
            kinds.add(new EvalSummary.Kind(k, n, acc.lossSum(k), ratio(acc.lossSum(k), n), ratio(acc.lossSum(k), sum),
                    n == 0 ? OptionalDouble.empty() : OptionalDouble.of(acc.focalMean(k))));
            nonFiniteByKind[k.ordinal()] = acc.nonFiniteLoss(k);
            long first = acc.firstNonFiniteLoss(k);
            firstByKind.add(first < 0 ? Optional.empty()
                    : Optional.of(new EvalSummary.At(shape.unravel(first), in.logits.getDouble(first))));
        }

        List<EvalSummary.Sample> samples = new ArrayList<>();
        head.ifPresent(h -> {
            for (int b = 0; b < h.result.samples(); b++) {
                samples.add(new EvalSummary.Sample(h.result.positives[b], h.result.negatives[b], h.result.ignored[b],
                        h.result.normalizer[b], acc.sampleLoss(b)));
            }
        });
        if (function.heatmap()) {
            for (int b = 0; b < acc.samples(); b++) {
                samples.add(new EvalSummary.Sample(acc.sampleCount(b, AnchorKind.POSITIVE),
                        acc.sampleCount(b, AnchorKind.NEGATIVE), acc.sampleCount(b, AnchorKind.IGNORED), Double.NaN,
                        acc.sampleLoss(b)));
            }
        }
        List<EvalSummary.ClassFigures> classes = new ArrayList<>();
        for (int c = 0; c < acc.classes(); c++) {
            classes.add(new EvalSummary.ClassFigures(c, className(classNames, c), acc.classPositives(c),
                    acc.classLoss(c)));
        }
        EvalSummary.NonFinite nonFinite = new EvalSummary.NonFinite(acc.nonFiniteLogits(), nonFiniteByKind,
                firstByKind, acc.nanLoss(), acc.infiniteLoss(), index(shape, acc.firstNanLoss()),
                index(shape, acc.firstInfiniteLoss()));
        List<EvalSummary.TopElement> top = new ArrayList<>();
        for (TopK.Item item : acc.top().items()) {
            long[] idx = shape.unravel(item.index);
            top.add(new EvalSummary.TopElement(idx, shape.rank() <= 1 ? 0 : idx[idx.length - 1],
                    in.logits.getDouble(item.index), in.targetAt(item.index), in.weightAt(item.index), item.loss));
        }
        Optional<EvalSummary.Labels> labels = head.map(h -> new EvalSummary.Labels(h.labelsName, h.classes,
                h.backgroundName(), h.normalizeName(), h.posWeight, h.negWeight, heads(h, acc, shape)));
        return new EvalSummary(inputs, labels, loss, kinds, samples, classes, nonFinite,
                topK > 0 ? Optional.of(top) : Optional.empty(), List.copyOf(warnings), acc.histograms(),
                acc.bev());
    }

    /**
     * The training log's number (docs/semantics.md#the-heads-number): a heatmap loss's sum over
     * max(peaks, 1); in labels mode what the head logs (docs/semantics.md#normalisers): the anchor
     * heads, normalised per sample, the sum over B (rpn_loss_cls); the point head and TransFusion,
     * normalised over the batch, the sum (point_loss_cls, loss_cls). No head normalises by nothing,
     * and without labels the head is unknown.
     */
    private static OptionalDouble head(LossFunction function, double sum, OptionalDouble perBatch, LossAccumulator acc,
                                       Optional<HeadLabels> labels) {
        if (function.heatmap()) {
            return OptionalDouble.of(sum / Math.max(acc.anchors(AnchorKind.POSITIVE), 1));
        }
        if (labels.isEmpty()) {
            return OptionalDouble.empty();
        }
        switch (labels.get().normalize) {
            case PER_SAMPLE: return perBatch;
            case BATCH: return OptionalDouble.of(sum);
            default: return OptionalDouble.empty();
        }
    }

    /**
     * A multi-head's heads. A separate head's loss is its columns' loss, as the other heads'
     * anchors are 0 there, over B; a shared head's columns are every head's, so it has none here.
     */
    private static List<EvalSummary.Head> heads(HeadLabels h, LossAccumulator acc, Shape shape) {
        List<EvalSummary.Head> heads = new ArrayList<>();
        h.multi().ifPresent(m -> {
            int first = 0;
            for (int k = 0; k < m.names.size(); k++) {
                int classes = m.heads.classes()[k];
                OptionalDouble loss = OptionalDouble.empty();
                if (m.separate) {
                    double s = 0;
                    for (int c = first; c < first + classes; c++) {
                        s += acc.classLoss(c);
                    }
                    loss = ratio(s, shape.dim(0));
                }
                heads.add(new EvalSummary.Head(m.names.get(k), m.heads.anchors()[k], classes,
                        m.separate ? first : 0, loss));
                first += m.separate ? classes : 0;
            }
        });
        return heads;
    }

    /** a / b, undefined when b is 0 (a mean or share over nothing). */
    static OptionalDouble ratio(double a, double b) {
        return b == 0 ? OptionalDouble.empty() : OptionalDouble.of(a / b);
    }

    private static Optional<long[]> index(Shape shape, long flat) {
        return flat < 0 ? Optional.empty() : Optional.of(shape.unravel(flat));
    }

    private static String className(Optional<List<String>> names, int c) {
        return names.map(n -> n.get(c)).orElse("class " + c);
    }
}
