package dev.focal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.loss.EvalInputs;
import dev.focal.stats.AnchorClass;
import dev.focal.stats.LossAccumulator;
import dev.focal.stats.TopK;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** The summary of one evaluation, rendered as a readable table or as JSON. */
final class EvalReport {
    final double gamma;
    final double alpha;
    final double lossWeight;
    final EvalInputs in;
    final String weightsSource;
    final DType outputType;
    final LossAccumulator acc;
    final List<String> classNames;
    /** Null unless the targets and weights were derived from labels. */
    final HeadLabels head;
    final List<String> warnings;

    EvalReport(double gamma, double alpha, double lossWeight, EvalInputs in, String weightsSource, DType outputType,
               LossAccumulator acc, List<String> classNames, HeadLabels head, List<String> warnings) {
        this.warnings = warnings;
        this.gamma = gamma;
        this.alpha = alpha;
        this.lossWeight = lossWeight;
        this.head = head;
        this.in = in;
        this.weightsSource = weightsSource;
        this.outputType = outputType;
        this.acc = acc;
        this.classNames = classNames;
    }

    Shape shape() {
        return in.logits.shape();
    }

    double sum() {
        return acc.totalLoss();
    }

    double mean() {
        return sum() / shape().count();
    }

    /** sum / shape[0]: OpenPCDet's rpn_loss_cls before its cls_weight. */
    double perBatch() {
        return shape().rank() == 0 ? sum() : sum() / shape().dim(0);
    }

    private String className(int c) {
        return classNames != null ? classNames.get(c) : "class " + c;
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    String json(int topK) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonOutput.generator(w)) {
            g.writeStartObject();
            g.writeNumberField("gamma", gamma);
            g.writeNumberField("alpha", alpha);
            g.writeFieldName("shape");
            index(g, shape().dims());
            g.writeStringField("dtype", outputType.numpyName());
            g.writeNumberField("loss_weight", lossWeight);
            g.writeStringField("weights", head != null ? "derived" : in.weights == null ? "default" : "given");
            g.writeStringField("weights_source", weightsSource);
            if (head != null) {
                g.writeObjectFieldStart("labels");
                g.writeStringField("file", head.labelsName);
                g.writeNumberField("num_classes", head.classes);
                g.writeStringField("background", head.backgroundName());
                g.writeStringField("normalize", head.normalizeName());
                g.writeNumberField("pos_weight", head.posWeight);
                g.writeNumberField("neg_weight", head.negWeight);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("loss");
            g.writeNumberField("sum", sum());
            JsonOutput.ratio(g, "mean", sum(), shape().count());
            if (shape().rank() == 0) {
                g.writeNumberField("per_batch", sum());
            } else {
                JsonOutput.ratio(g, "per_batch", sum(), shape().dim(0));
            }
            g.writeEndObject();
            g.writeObjectFieldStart("anchors");
            g.writeNumberField("total", acc.anchors());
            for (AnchorClass k : AnchorClass.values()) {
                g.writeNumberField(k.label(), acc.anchors(k));
            }
            g.writeNumberField("classes", acc.classes());
            g.writeEndObject();
            for (AnchorClass k : AnchorClass.values()) {
                g.writeObjectFieldStart(k.label());
                g.writeNumberField("anchors", acc.anchors(k));
                g.writeNumberField("loss_sum", acc.lossSum(k));
                JsonOutput.ratio(g, "loss_mean", acc.lossSum(k), acc.anchors(k));
                JsonOutput.ratio(g, "share", acc.lossSum(k), sum());
                g.writeFieldName("focal_mean");
                if (acc.anchors(k) == 0) {
                    g.writeNull();
                } else {
                    g.writeNumber(acc.focalMean(k));
                }
                g.writeEndObject();
            }
            if (head != null) {
                g.writeArrayFieldStart("per_sample");
                for (int b = 0; b < head.result.samples(); b++) {
                    g.writeStartObject();
                    g.writeNumberField("positives", head.result.positives[b]);
                    g.writeNumberField("negatives", head.result.negatives[b]);
                    g.writeNumberField("ignored", head.result.ignored[b]);
                    g.writeNumberField("normalizer", head.result.normalizer[b]);
                    g.writeNumberField("loss_sum", acc.sampleLoss(b));
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("per_class");
            for (int c = 0; c < acc.classes(); c++) {
                g.writeStartObject();
                g.writeNumberField("class", c);
                g.writeStringField("name", className(c));
                g.writeNumberField("positives", acc.classPositives(c));
                g.writeNumberField("loss_sum", acc.classLoss(c));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("nonfinite");
            g.writeNumberField("logits", acc.nonFiniteLogits());
            long nonFinite = 0;
            for (AnchorClass k : AnchorClass.values()) {
                nonFinite += acc.nonFiniteLoss(k);
            }
            g.writeNumberField("loss", nonFinite);
            for (AnchorClass k : AnchorClass.values()) {
                g.writeNumberField("in_" + k.label(), acc.nonFiniteLoss(k));
            }
            for (AnchorClass k : AnchorClass.values()) {
                firstIndex(g, "first_in_" + k.label(), acc.firstNonFiniteLoss(k));
            }
            g.writeNumberField("nan", acc.nanLoss());
            g.writeNumberField("inf", acc.infiniteLoss());
            firstIndex(g, "first_nan", acc.firstNanLoss());
            firstIndex(g, "first_inf", acc.firstInfiniteLoss());
            g.writeEndObject();
            g.writeArrayFieldStart("warnings");
            for (String warning : warnings) {
                g.writeString(warning);
            }
            g.writeEndArray();
            if (topK > 0) {
                g.writeArrayFieldStart("top");
                for (TopK.Item item : acc.top().items()) {
                    long[] idx = shape().unravel(item.index);
                    g.writeStartObject();
                    g.writeFieldName("index");
                    index(g, idx);
                    g.writeNumberField("class", shape().rank() <= 1 ? 0 : idx[idx.length - 1]);
                    g.writeNumberField("logit", in.logits.getDouble(item.index));
                    g.writeNumberField("target", in.targetAt(item.index));
                    g.writeNumberField("weight", in.weightAt(item.index));
                    g.writeNumberField("loss", item.loss);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return w.toString() + System.lineSeparator();
    }

    /** The index of a flat position, left out when there is none (-1). */
    private void firstIndex(JsonGenerator g, String name, long flat) throws IOException {
        if (flat >= 0) {
            g.writeFieldName(name);
            index(g, shape().unravel(flat));
        }
    }

    private static void index(JsonGenerator g, long[] idx) throws IOException {
        g.writeArray(idx, 0, idx.length);
    }

    void table(PrintWriter out, int topK) {
        out.println("focal loss  gamma=" + Numbers.format(gamma) + "  alpha=" + Numbers.format(alpha)
                + (lossWeight == 1 ? "" : "  loss_weight=" + Numbers.format(lossWeight))
                + "  shape=" + shape() + "  dtype=" + outputType.numpyName()
                + (in.logits.dtype() == outputType ? "" : " (logits " + in.logits.dtype().numpyName() + ")")
                + "  weights=" + weightsSource);
        if (head != null) {
            out.println("labels  num_classes=" + head.classes + "  background=" + head.backgroundName()
                    + "  normalize=" + head.normalizeName() + "  pos_weight=" + Numbers.format(head.posWeight)
                    + "  neg_weight=" + Numbers.format(head.negWeight));
        }
        out.println("loss  sum=" + Numbers.format(sum()) + "  mean=" + Numbers.format(mean()) + "  per_batch="
                + Numbers.format(perBatch()));
        out.println();
        Table anchors = new Table("anchors", ">count", ">loss sum", ">share", ">mean/anchor", ">focal mean");
        for (AnchorClass k : AnchorClass.values()) {
            anchors.row(k.label(), acc.anchors(k), Numbers.format(acc.lossSum(k)),
                    Numbers.percent(ratio(acc.lossSum(k), sum())),
                    Numbers.format(ratio(acc.lossSum(k), acc.anchors(k))), Numbers.format(acc.focalMean(k)));
        }
        anchors.row("total", acc.anchors(), Numbers.format(sum()), Numbers.percent(ratio(sum(), sum())),
                Numbers.format(ratio(sum(), acc.anchors())), "");
        anchors.print(out, "");
        out.println();
        if (head != null) {
            Table samples = new Table("sample", ">positives", ">negatives", ">ignored", ">normalizer", ">loss sum");
            for (int b = 0; b < head.result.samples(); b++) {
                samples.row(b, head.result.positives[b], head.result.negatives[b], head.result.ignored[b],
                        Numbers.format(head.result.normalizer[b]), Numbers.format(acc.sampleLoss(b)));
            }
            samples.print(out, "");
            out.println();
        }
        Table classes = new Table("class", ">positives", ">loss sum", ">share");
        for (int c = 0; c < acc.classes(); c++) {
            classes.row(className(c), acc.classPositives(c), Numbers.format(acc.classLoss(c)),
                    Numbers.percent(ratio(acc.classLoss(c), sum())));
        }
        classes.print(out, "");
        out.println();
        nonFinite(out);
        if (topK > 0) {
            out.println();
            Table top = new Table("top loss", ">class", ">logit", ">target", ">weight", ">loss");
            for (TopK.Item item : acc.top().items()) {
                long[] idx = shape().unravel(item.index);
                int c = shape().rank() <= 1 ? 0 : (int) idx[idx.length - 1];
                top.row(Shape.indexString(idx), className(c), Numbers.format(in.logits.getDouble(item.index)),
                        Numbers.format(in.targetAt(item.index)), Numbers.format(in.weightAt(item.index)),
                        Numbers.format(item.loss));
            }
            top.print(out, "");
        }
        out.flush();
    }

    private void nonFinite(PrintWriter out) {
        long total = 0;
        for (AnchorClass k : AnchorClass.values()) {
            total += acc.nonFiniteLoss(k);
        }
        if (total == 0 && acc.nonFiniteLogits() == 0) {
            out.println("non-finite: none");
            return;
        }
        out.println("non-finite: " + acc.nonFiniteLogits() + " logits, " + total + " loss values (positive "
                + acc.nonFiniteLoss(AnchorClass.POSITIVE) + ", negative " + acc.nonFiniteLoss(AnchorClass.NEGATIVE)
                + ", ignored " + acc.nonFiniteLoss(AnchorClass.IGNORED) + ")");
        for (AnchorClass k : AnchorClass.values()) {
            long first = acc.firstNonFiniteLoss(k);
            if (first >= 0) {
                out.println("  first in " + (k == AnchorClass.IGNORED ? "an " : "a ") + k.label() + " anchor at " + Shape.indexString(shape().unravel(first))
                        + " (logit " + Numbers.format(in.logits.getDouble(first)) + ")");
            }
        }
        if (acc.nonFiniteLoss(AnchorClass.IGNORED) > 0) {
            out.println("  warning: a weight of 0 does not mask NaN (0 * NaN = NaN): the reference's total is NaN"
                    + " because of ignored anchors");
        }
    }
}
