package dev.focal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.FocalException;
import dev.focal.loss.LossFunction;
import dev.focal.report.Sweep;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Numbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * A sweep's figures (docs/commands.md#sweeps): the summaries of its (gamma, alpha) pairs, gamma
 * major, and one numeric field of them (--sweep-metric) as a grid, rows gamma and columns alpha.
 */
final class SweepGrid {
    /**
     * The summary's numeric fields by their JSON keys flattened with dots (SweepTest holds the
     * lists to the summary's schema); the arrays (per class, per sample, indexes) are left out.
     * The sigmoid focal loss's summary counts anchors, a heatmap loss's elements by their kinds.
     */
    static final Map<String, Function<EvalSummary, Number>> METRICS = metrics(false);
    static final Map<String, Function<EvalSummary, Number>> HEATMAP_METRICS = metrics(true);

    private final double[] gammas;
    private final double[] alphas;
    private final List<EvalSummary> summaries;

    /** {@code summaries} holds one summary per pair, gamma major: gamma i and alpha j at i * alphas + j. */
    SweepGrid(double[] gammas, double[] alphas, List<EvalSummary> summaries) {
        this.gammas = gammas;
        this.alphas = alphas;
        this.summaries = summaries;
    }

    /** The metrics of a heatmap loss's summaries, or of the sigmoid focal loss's. */
    static Map<String, Function<EvalSummary, Number>> metrics(LossFunction function) {
        return function.heatmap() ? HEATMAP_METRICS : METRICS;
    }

    /** The grid's default figure: the heatmap losses' log number, the anchor heads' rpn_loss_cls. */
    static String defaultMetric(LossFunction function) {
        return function.heatmap() ? "loss.head" : "loss.per_batch";
    }

    private static Map<String, Function<EvalSummary, Number>> metrics(boolean heatmap) {
        Map<String, Function<EvalSummary, Number>> m = new LinkedHashMap<>();
        m.put("gamma", s -> s.inputs().gamma());
        m.put("alpha", s -> s.inputs().alpha());
        m.put("loss_weight", s -> s.inputs().lossWeight());
        m.put("loss.sum", s -> s.loss().sum());
        m.put("loss.mean", s -> orNull(s.loss().mean()));
        m.put("loss.per_batch", s -> orNull(s.loss().perBatch()));
        m.put("loss.head", s -> orNull(s.loss().head()));
        String counted = AnchorKind.counted(heatmap);
        m.put(counted + ".total", s -> s.anchors());
        for (AnchorKind k : AnchorKind.values()) {
            m.put(counted + "." + k.label(heatmap), s -> s.kind(k).anchors());
        }
        m.put(counted + ".classes", s -> (long) s.classes().size());
        for (AnchorKind k : AnchorKind.values()) {
            String kind = k.label(heatmap);
            m.put(kind + "." + counted, s -> s.kind(k).anchors());
            m.put(kind + ".loss_sum", s -> s.kind(k).lossSum());
            m.put(kind + ".loss_mean", s -> orNull(s.kind(k).lossMean()));
            m.put(kind + ".share", s -> orNull(s.kind(k).share()));
            m.put(kind + ".focal_mean", s -> orNull(s.kind(k).focalMean()));
        }
        m.put("nonfinite.logits", s -> s.nonFinite().logits());
        m.put("nonfinite.loss", s -> s.nonFinite().loss());
        for (AnchorKind k : AnchorKind.values()) {
            m.put("nonfinite.in_" + k.label(heatmap), s -> s.nonFinite().lossByKind()[k.ordinal()]);
        }
        m.put("nonfinite.nan", s -> s.nonFinite().nan());
        m.put("nonfinite.inf", s -> s.nonFinite().inf());
        return m;
    }

    private static Double orNull(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }

    /**
     * Refuses (exit 2) a --sweep-metric that names no numeric field of the loss's summary,
     * listing those that do.
     */
    static void checkMetric(String name, LossFunction function) {
        Map<String, Function<EvalSummary, Number>> metrics = metrics(function);
        if (!metrics.containsKey(name)) {
            throw FocalException.usage("--sweep-metric " + name + " is not a numeric field of the " + function.cliName()
                    + " summary; one of " + String.join(", ", metrics.keySet()));
        }
    }

    /** A count (Long), a figure (Double), or null where the figure is undefined (a mean over nothing). */
    private Number at(int g, int a, String metric) {
        EvalSummary s = summaries.get(g * alphas.length + a);
        return (s.inputs().heatmap() ? HEATMAP_METRICS : METRICS).get(metric).apply(s);
    }

    /** The sweep as the report draws it, {@code input} naming what was swept. */
    Sweep report(String input, String metric) {
        Number[][] grid = new Number[gammas.length][alphas.length];
        for (int g = 0; g < gammas.length; g++) {
            for (int a = 0; a < alphas.length; a++) {
                grid[g][a] = at(g, a, metric);
            }
        }
        return new Sweep(input, gammas, alphas, metric, grid, summaries);
    }

    /** The grid on the terminal: a line per gamma, a column per alpha; "-" where the figure is undefined. */
    void print(String metric, PrintWriter out) {
        String[] headers = new String[alphas.length + 1];
        headers[0] = "gamma \\ alpha";
        for (int a = 0; a < alphas.length; a++) {
            headers[a + 1] = ">" + Numbers.format(alphas[a]);
        }
        Table t = new Table(headers);
        for (int g = 0; g < gammas.length; g++) {
            Object[] cells = new Object[alphas.length + 1];
            cells[0] = Numbers.format(gammas[g]);
            for (int a = 0; a < alphas.length; a++) {
                Number v = at(g, a, metric);
                cells[a + 1] = v == null ? "-" : v instanceof Double ? Numbers.format((Double) v) : v.toString();
            }
            t.row(cells);
        }
        out.println(metric + " over " + gammas.length + " x " + alphas.length + " (gamma, alpha) pairs:");
        t.print(out, "");
    }

    /**
     * The --stats document of a sweep: the metric, the swept values, the grid (null where the
     * figure is undefined), and each pair's whole summary, gamma major.
     */
    String statsText(String metric) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonOutput.generator(w)) {
            g.writeStartObject();
            g.writeStringField("metric", metric);
            g.writeFieldName("gamma");
            g.writeArray(gammas, 0, gammas.length);
            g.writeFieldName("alpha");
            g.writeArray(alphas, 0, alphas.length);
            g.writeArrayFieldStart("grid");
            for (int r = 0; r < gammas.length; r++) {
                g.writeStartArray();
                for (int a = 0; a < alphas.length; a++) {
                    Number v = at(r, a, metric);
                    if (v == null) {
                        g.writeNull();
                    } else if (v instanceof Double) {
                        g.writeNumber((Double) v);
                    } else {
                        g.writeNumber(v.longValue());
                    }
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("pairs");
            for (EvalSummary s : summaries) {
                g.writeStartObject();
                g.writeNumberField("gamma", s.inputs().gamma());
                g.writeNumberField("alpha", s.inputs().alpha());
                g.writeFieldName("summary");
                SummaryJson.write(s, g);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return w + System.lineSeparator();
    }
}
