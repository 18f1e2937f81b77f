package dev.focal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Optional;

/**
 * The JSON summary: the one definition of its schema (docs/commands.md#the-summary; pinned by
 * SummaryJsonTest). Written through jackson-core's streaming generator, so a plain run does not
 * load jackson-databind; the checks write the same into a token buffer to read it as a tree.
 */
final class SummaryJson {
    private SummaryJson() {
    }

    /** The summary as text, ending with a line break. */
    static String text(EvalSummary s) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonOutput.generator(w)) {
            write(s, g);
        }
        return w + System.lineSeparator();
    }

    static void write(EvalSummary s, JsonGenerator g) throws IOException {
        EvalSummary.Inputs in = s.inputs();
        g.writeStartObject();
        g.writeStringField("loss_function", in.loss());
        g.writeNumberField("gamma", in.gamma());
        g.writeNumberField("alpha", in.alpha());
        index(g, "shape", in.shape());
        g.writeStringField("dtype", in.dtype());
        g.writeNumberField("loss_weight", in.lossWeight());
        g.writeStringField("weights", in.weights());
        g.writeStringField("weights_source", in.weightsSource());
        if (s.labels().isPresent()) {
            EvalSummary.Labels l = s.labels().get();
            g.writeObjectFieldStart("labels");
            g.writeStringField("file", l.file());
            g.writeNumberField("num_classes", l.numClasses());
            g.writeStringField("background", l.background());
            g.writeStringField("normalize", l.normalize());
            g.writeNumberField("pos_weight", (float) l.posWeight());
            g.writeNumberField("neg_weight", (float) l.negWeight());
            if (!l.heads().isEmpty()) {
                g.writeArrayFieldStart("heads");
                for (EvalSummary.Head h : l.heads()) {
                    g.writeStartObject();
                    g.writeStringField("logits", h.logits());
                    g.writeNumberField("anchors", h.anchors());
                    g.writeNumberField("classes", h.classes());
                    g.writeNumberField("first_class", h.firstClass());
                    if (h.loss().isPresent()) {
                        g.writeNumberField("loss", h.loss().getAsDouble());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeObjectFieldStart("loss");
        g.writeNumberField("sum", s.loss().sum());
        JsonOutput.optional(g, "mean", s.loss().mean());
        JsonOutput.optional(g, "per_batch", s.loss().perBatch());
        if (s.loss().head().isPresent()) {
            g.writeNumberField("head", s.loss().head().getAsDouble());
        }
        g.writeEndObject();
        // A heatmap loss counts elements, an anchor loss anchors.
        String counted = AnchorKind.counted(in.heatmap());
        g.writeObjectFieldStart(counted);
        g.writeNumberField("total", s.anchors());
        for (EvalSummary.Kind k : s.kinds()) {
            g.writeNumberField(s.label(k.kind()), k.anchors());
        }
        g.writeNumberField("classes", s.classes().size());
        g.writeEndObject();
        for (EvalSummary.Kind k : s.kinds()) {
            g.writeObjectFieldStart(s.label(k.kind()));
            g.writeNumberField(counted, k.anchors());
            g.writeNumberField("loss_sum", k.lossSum());
            JsonOutput.optional(g, "loss_mean", k.lossMean());
            JsonOutput.optional(g, "share", k.share());
            JsonOutput.optional(g, "focal_mean", k.focalMean());
            g.writeEndObject();
        }
        if (in.heatmap() && !s.samples().isEmpty()) {
            g.writeArrayFieldStart("per_sample");
            for (EvalSummary.Sample b : s.samples()) {
                g.writeStartObject();
                g.writeNumberField("peak", b.positives());
                g.writeNumberField("near", b.negatives());
                g.writeNumberField("background", b.ignored());
                g.writeNumberField("loss_sum", b.lossSum());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (s.labels().isPresent()) {
            g.writeArrayFieldStart("per_sample");
            for (EvalSummary.Sample b : s.samples()) {
                g.writeStartObject();
                g.writeNumberField("positives", b.positives());
                g.writeNumberField("negatives", b.negatives());
                g.writeNumberField("ignored", b.ignored());
                g.writeNumberField("normalizer", (float) b.normalizer());
                g.writeNumberField("loss_sum", b.lossSum());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeArrayFieldStart("per_class");
        for (EvalSummary.ClassFigures c : s.classes()) {
            g.writeStartObject();
            g.writeNumberField("class", c.index());
            g.writeStringField("name", c.name());
            g.writeNumberField(in.heatmap() ? "peaks" : "positives", c.positives());
            g.writeNumberField("loss_sum", c.lossSum());
            g.writeEndObject();
        }
        g.writeEndArray();
        EvalSummary.NonFinite n = s.nonFinite();
        g.writeObjectFieldStart("nonfinite");
        g.writeNumberField("logits", n.logits());
        g.writeNumberField("loss", n.loss());
        for (EvalSummary.Kind k : s.kinds()) {
            g.writeNumberField("in_" + s.label(k.kind()), n.lossByKind()[k.kind().ordinal()]);
        }
        for (EvalSummary.Kind k : s.kinds()) {
            index(g, "first_in_" + s.label(k.kind()), n.firstByKind().get(k.kind().ordinal()).map(EvalSummary.At::index));
        }
        g.writeNumberField("nan", n.nan());
        g.writeNumberField("inf", n.inf());
        index(g, "first_nan", n.firstNan());
        index(g, "first_inf", n.firstInf());
        g.writeEndObject();
        g.writeArrayFieldStart("warnings");
        for (String warning : s.warnings()) {
            g.writeString(warning);
        }
        g.writeEndArray();
        if (s.top().isPresent()) {
            g.writeArrayFieldStart("top");
            for (EvalSummary.TopElement t : s.top().get()) {
                g.writeStartObject();
                index(g, "index", t.index());
                g.writeNumberField("class", t.classIndex());
                g.writeNumberField("logit", t.logit());
                g.writeNumberField("target", t.target());
                g.writeNumberField("weight", t.weight());
                g.writeNumberField("loss", t.loss());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** An index, left out when there is none. */
    private static void index(JsonGenerator g, String name, Optional<long[]> idx) throws IOException {
        if (idx.isPresent()) {
            index(g, name, idx.get());
        }
    }

    private static void index(JsonGenerator g, String name, long[] idx) throws IOException {
        g.writeFieldName(name);
        g.writeArray(idx, 0, idx.length);
    }
}
