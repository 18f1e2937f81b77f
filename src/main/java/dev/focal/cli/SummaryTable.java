package dev.focal.cli;

import dev.focal.stats.Numbers;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.tensor.Shape;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** The summary as the table eval prints by default. */
final class SummaryTable {
    private SummaryTable() {
    }

    static void print(EvalSummary s, PrintWriter out) {
        EvalSummary.Inputs in = s.inputs();
        double sum = s.loss().sum();
        out.println((in.heatmap() ? in.loss() + " heatmap loss" : "focal loss") + "  gamma=" + Numbers.format(in.gamma())
                + "  alpha=" + Numbers.format(in.alpha())
                + (in.lossWeight() == 1 ? "" : "  loss_weight=" + Numbers.format(in.lossWeight()))
                + "  shape=" + Shape.of(in.shape()) + "  dtype=" + in.dtype()
                + (in.logitsDtype().equals(in.dtype()) ? "" : " (logits " + in.logitsDtype() + ")")
                + (in.heatmap() ? "" : "  weights=" + in.weightsSource()));
        s.labels().ifPresent(l -> out.println("labels  num_classes=" + l.numClasses() + "  background="
                + l.background() + "  normalize=" + l.normalize() + "  pos_weight=" + Numbers.format(l.posWeight())
                + "  neg_weight=" + Numbers.format(l.negWeight())));
        out.println("loss  sum=" + Numbers.format(sum) + "  mean=" + format(s.loss().mean()) + "  per_batch="
                + format(s.loss().perBatch()) + (s.loss().head().isPresent() ? "  head=" + format(s.loss().head()) : ""));
        s.labels().filter(l -> !l.heads().isEmpty()).ifPresent(l -> {
            out.println();
            Table heads = new Table("head", "logits", ">anchors", ">classes", ">first class", ">loss");
            for (int k = 0; k < l.heads().size(); k++) {
                EvalSummary.Head h = l.heads().get(k);
                heads.row(Integer.toString(k), h.logits(), h.anchors(), h.classes(), h.firstClass(),
                        h.loss().isPresent() ? format(h.loss()) : "");
            }
            heads.print(out, "");
        });
        out.println();
        Table anchors = in.heatmap()
                ? new Table("elements", ">count", ">loss sum", ">share", ">mean/element", ">factor mean")
                : new Table("anchors", ">count", ">loss sum", ">share", ">mean/anchor", ">focal mean");
        for (EvalSummary.Kind k : s.kinds()) {
            anchors.row(s.label(k.kind()), k.anchors(), Numbers.format(k.lossSum()), percent(k.share()),
                    format(k.lossMean()), format(k.focalMean()));
        }
        anchors.row("total", s.anchors(), Numbers.format(sum), percent(EvalSummaries.ratio(sum, sum)),
                format(EvalSummaries.ratio(sum, s.anchors())), "");
        anchors.print(out, "");
        out.println();
        if (in.heatmap() && !s.samples().isEmpty()) {
            Table samples = new Table("sample", ">peaks", ">near", ">background", ">loss sum");
            List<EvalSummary.Sample> list = s.samples();
            for (int b = 0; b < list.size(); b++) {
                EvalSummary.Sample x = list.get(b);
                samples.row(b, x.positives(), x.negatives(), x.ignored(), Numbers.format(x.lossSum()));
            }
            samples.print(out, "");
            out.println();
        }
        if (s.labels().isPresent()) {
            Table samples = new Table("sample", ">positives", ">negatives", ">ignored", ">normalizer", ">loss sum");
            List<EvalSummary.Sample> list = s.samples();
            for (int b = 0; b < list.size(); b++) {
                EvalSummary.Sample x = list.get(b);
                samples.row(b, x.positives(), x.negatives(), x.ignored(), Numbers.format(x.normalizer()),
                        Numbers.format(x.lossSum()));
            }
            samples.print(out, "");
            out.println();
        }
        Table classes = new Table("class", in.heatmap() ? ">peaks" : ">positives", ">loss sum", ">share");
        for (EvalSummary.ClassFigures c : s.classes()) {
            classes.row(c.name(), c.positives(), Numbers.format(c.lossSum()),
                    percent(EvalSummaries.ratio(c.lossSum(), sum)));
        }
        classes.print(out, "");
        out.println();
        nonFinite(s, out);
        if (s.top().isPresent()) {
            out.println();
            Table top = new Table("top loss", ">class", ">logit", ">target", ">weight", ">loss");
            for (EvalSummary.TopElement t : s.top().get()) {
                top.row(Shape.indexString(t.index()), s.classes().get((int) t.classIndex()).name(),
                        Numbers.format(t.logit()), Numbers.format(t.target()), Numbers.format(t.weight()),
                        Numbers.format(t.loss()));
            }
            top.print(out, "");
        }
        out.flush();
    }

    private static void nonFinite(EvalSummary s, PrintWriter out) {
        EvalSummary.NonFinite n = s.nonFinite();
        long[] byKind = n.lossByKind();
        if (n.loss() == 0 && n.logits() == 0) {
            out.println("non-finite: none");
            return;
        }
        out.println("non-finite: " + n.logits() + " logits, " + n.loss() + " loss values (" + s.label(AnchorKind.POSITIVE)
                + " " + byKind[AnchorKind.POSITIVE.ordinal()] + ", " + s.label(AnchorKind.NEGATIVE) + " "
                + byKind[AnchorKind.NEGATIVE.ordinal()] + ", " + s.label(AnchorKind.IGNORED) + " "
                + byKind[AnchorKind.IGNORED.ordinal()] + ")");
        String unit = s.inputs().heatmap() ? " element" : " anchor";
        for (AnchorKind k : AnchorKind.values()) {
            Optional<EvalSummary.At> first = n.firstByKind().get(k.ordinal());
            first.ifPresent(at -> out.println("  first in " + (k == AnchorKind.IGNORED && !s.inputs().heatmap() ? "an "
                    : "a ") + s.label(k) + unit + " at " + Shape.indexString(at.index()) + " (logit "
                    + Numbers.format(at.logit()) + ")"));
        }
        if (!s.inputs().heatmap() && byKind[AnchorKind.IGNORED.ordinal()] > 0) {
            out.println("  warning: a weight of 0 does not mask NaN (0 * NaN = NaN): the reference's total is NaN"
                    + " because of ignored anchors");
        }
    }

    /** An undefined figure reads as nan, as the table always printed it. */
    private static String format(OptionalDouble v) {
        return Numbers.format(v.orElse(Double.NaN));
    }

    private static String percent(OptionalDouble v) {
        return Numbers.percent(v.orElse(Double.NaN));
    }
}
