package dev.focal.report;

import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Grid;
import dev.focal.stats.Numbers;
import dev.focal.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import dev.focal.stats.Histograms;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report of one evaluation: its figures, in the order the page shows them, each rendered
 * from the summary alone. A figure that does not apply (no samples, no non-finite values) is
 * left out rather than drawn empty.
 */
public final class Report {
    /** The p_t at which the focal-curve caption reads the modulating factor: a well-classified element. */
    static final double EASY_PT = 0.9;

    private final EvalSummary summary;
    private final String commandLine;
    private final String title;
    private final List<Figure> figures = new ArrayList<>();

    private Report(EvalSummary summary, String commandLine) {
        this.summary = summary;
        this.commandLine = commandLine;
        this.title = Page.title(summary);
        figures.add(summaryFigure());
        figures.add(lossShare());
        summary.histograms().filter(Report::anyLoss).ifPresent(h -> figures.add(lossHistogram(h)));
        figures.add(focalCurve());
        figures.add(perClass());
        if (!summary.samples().isEmpty()) {
            figures.add(perSample());
        }
        summary.bev().filter(b -> b.grid().samples() > 0).ifPresent(b -> {
            figures.add(bevLoss(b));
            figures.add(bevPositives(b));
        });
        summary.top().filter(t -> !t.isEmpty()).ifPresent(t -> figures.add(top(t)));
        if (summary.nonFinite().loss() > 0 || summary.nonFinite().logits() > 0) {
            figures.add(nonFinite());
        }
    }

    /**
     * Loads the charting library, its fonts and Java2D's, by drawing a small chart off screen:
     * run on a thread of its own during the pass, it takes most of the report's start-up off
     * the run's critical path.
     */
    public static void warmUp() {
        double[][] v = {{1}};
        JFreeChart chart = Charts.bars("share", List.of("a"), List.of("b"), v, true);
        chart.createBufferedImage(64, 48);
        Figure.pngBytes(new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB));
    }

    /** A report of figures over several evaluations, which no one summary stands for. */
    private Report(String title, List<Figure> figures) {
        this.summary = null;
        this.commandLine = null;
        this.title = title;
        this.figures.addAll(figures);
    }

    /** @param commandLine the command that reproduces the run, shown in the summary figure */
    public static Report of(EvalSummary summary, String commandLine) {
        return new Report(summary, commandLine);
    }

    /** The report of a many-dumps eval: its summary and the trend across the dumps, in file order. */
    public static Report ofDumps(List<Dump> dumps, String commandLine) {
        return new Report("focal loss report: " + dumps.size() + " dumps", Trend.figures(dumps, commandLine));
    }

    /** The report of a gamma x alpha sweep: its summary, the heatmap of its metric and the swept focal curves. */
    public static Report ofSweep(Sweep sweep, String commandLine) {
        return new Report("focal loss report: " + sweep.gammas().length + " x " + sweep.alphas().length + " sweep",
                SweepFigures.figures(sweep, commandLine));
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** The page: one self-contained HTML file (inline SVG, no script, nothing fetched). */
    public String html() {
        drawInTwo(figures.stream().filter(Figure::drawn).collect(Collectors.toList()), Figure::inline);
        return Page.html(title, figures);
    }

    /**
     * Draws the figures on two threads, every other one on a second thread: drawing runs after the
     * pass, when one core would otherwise be idle. Each figure draws its own chart object; what the
     * charting library shares (the theme, the fonts) is read-only by then.
     */
    static void drawInTwo(List<Figure> figures, Consumer<Figure> draw) {
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                for (int i = 1; i < figures.size(); i += 2) {
                    draw.accept(figures.get(i));
                }
            } catch (RuntimeException e) {
                failed.set(e);
            }
        }, "focal-report-draw");
        other.setDaemon(true);
        other.start();
        for (int i = 0; i < figures.size(); i += 2) {
            draw.accept(figures.get(i));
        }
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    private Figure summaryFigure() {
        EvalSummary.Inputs in = summary.inputs();
        EvalSummary.Loss loss = summary.loss();
        String caption = "The loss of " + Shape.of(in.shape()) + " " + in.dtype() + " elements at gamma "
                + Numbers.format(in.gamma()) + " and alpha " + Numbers.format(in.alpha()) + " sums to "
                + Numbers.format(loss.sum()) + ", " + format(loss.perBatch()) + " per sample.";
        StringBuilder t = new StringBuilder();
        t.append("<table class=\"inputs\">");
        row(t, "command", "<code>" + Page.escape(commandLine) + "</code>");
        row(t, "gamma, alpha", Numbers.format(in.gamma()) + ", " + Numbers.format(in.alpha())
                + (in.lossWeight() == 1 ? "" : " (loss weight " + Numbers.format(in.lossWeight()) + ")"));
        row(t, "shape, dtype", Shape.of(in.shape()) + " " + in.dtype()
                + (in.logitsDtype().equals(in.dtype()) ? "" : " (logits " + in.logitsDtype() + ")"));
        row(t, "weights", Page.escape(in.weightsSource()));
        summary.labels().ifPresent(l -> row(t, "labels", Page.escape(l.file()) + ": num_classes " + l.numClasses()
                + ", background " + l.background() + ", normalize " + l.normalize() + ", pos_weight "
                + Numbers.format(l.posWeight()) + ", neg_weight " + Numbers.format(l.negWeight())));
        row(t, "loss", "sum " + Numbers.format(loss.sum()) + ", mean " + format(loss.mean()) + ", per_batch "
                + format(loss.perBatch()));
        t.append("</table>");
        t.append("<table><thead><tr><th>anchors</th><th>count</th><th>loss sum</th><th>share</th>"
                + "<th>mean/anchor</th><th>focal mean</th></tr></thead><tbody>");
        for (EvalSummary.Kind k : summary.kinds()) {
            t.append("<tr><td>").append(k.kind().label()).append("</td>");
            cells(t, String.valueOf(k.anchors()), Numbers.format(k.lossSum()), percent(k.share()),
                    format(k.lossMean()), format(k.focalMean()));
            t.append("</tr>");
        }
        t.append("<tr class=\"total\"><td>total</td>");
        cells(t, String.valueOf(summary.anchors()), Numbers.format(loss.sum()), "", "", "");
        t.append("</tr></tbody></table>");
        summary.warnings().forEach(w -> t.append("<p class=\"warning\">").append(Page.escape(w)).append("</p>"));
        return new Figure("summary", "Summary", caption, null, t.toString());
    }

    private Figure lossShare() {
        List<String> kinds = new ArrayList<>();
        double[][] v = new double[2][AnchorKind.values().length];
        double anchors = summary.anchors();
        for (EvalSummary.Kind k : summary.kinds()) {
            kinds.add(k.kind().label());
            v[0][k.kind().ordinal()] = anchors == 0 ? 0 : k.anchors() / anchors;
            v[1][k.kind().ordinal()] = k.share().orElse(0);
        }
        EvalSummary.Kind pos = summary.kind(AnchorKind.POSITIVE);
        EvalSummary.Kind neg = summary.kind(AnchorKind.NEGATIVE);
        String caption = "Positive anchors are " + Numbers.percent(v[0][0]) + " of the anchors and carry "
                + percent(pos.share()) + " of the loss; negative anchors are " + Numbers.percent(v[0][1])
                + " and carry " + percent(neg.share()) + ".";
        JFreeChart chart = Charts.bars("share", List.of("share of the anchors", "share of the loss"), kinds, v, true);
        return new Figure("loss-share", "Share of anchors and of the loss", caption, chart, "");
    }

    private static boolean anyLoss(Histograms h) {
        for (AnchorKind k : AnchorKind.values()) {
            for (long n : h.loss(k)) {
                if (n > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The bin that holds the lower median of a kind's anchors with a loss above 0, or -1 when there are none. */
    static int medianBin(long[] counts) {
        long total = 0;
        for (long n : counts) {
            total += n;
        }
        long cum = 0;
        for (int b = 0; b < counts.length; b++) {
            cum += counts[b];
            if (total > 0 && 2 * cum >= total) {
                return b;
            }
        }
        return -1;
    }

    private Figure lossHistogram(Histograms h) {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        List<String> medians = new ArrayList<>();
        long zero = 0;
        for (AnchorKind k : new AnchorKind[] {AnchorKind.NEGATIVE, AnchorKind.POSITIVE, AnchorKind.IGNORED}) {
            zero += h.zeroLoss(k);
            long[] counts = h.loss(k);
            int median = medianBin(counts);
            if (median < 0) {
                continue;
            }
            long total = 0;
            for (long n : counts) {
                total += n;
            }
            XYIntervalSeries s = new XYIntervalSeries(k.label() + " anchors (" + total + ")");
            for (int b = 0; b < counts.length; b++) {
                if (counts[b] > 0) {
                    double lo = Histograms.lossEdge(b);
                    double hi = Histograms.lossEdge(b + 1);
                    double share = (double) counts[b] / total;
                    s.add(Math.sqrt(lo * hi), lo, hi, share, share, share);
                }
            }
            data.addSeries(s);
            medians.add("[" + Numbers.format(Histograms.lossEdge(median)) + ", "
                    + Numbers.format(Histograms.lossEdge(median + 1)) + ") for " + k.label() + " anchors");
        }
        JFreeChart chart = Charts.histogram("loss of an anchor (summed over its classes)",
                "share of the kind's anchors", data, true);
        String caption = "The median anchor loss is in " + String.join(" and in ", medians) + "; " + zero
                + " anchors of loss 0 are not drawn.";
        return new Figure("loss-histogram", "The loss of each anchor, by kind", caption, chart, "");
    }

    /** p_t = sigmoid(x_t): x_t at or above this puts an element in the focal curve's flat tail. */
    static final double EASY_LOGIT = 2;

    /** Adds the p_t distribution (from the x_t bins) to the curve's chart, on an axis of its own. */
    private static String ptDistribution(JFreeChart chart, Histograms h) {
        int bins = 20;
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        String[] names = {"positive elements", "negative elements"};
        double[] easy = new double[2];
        double[] hard = new double[2];
        for (int s = 0; s < 2; s++) {
            long[] counts = h.logit(s == 0);
            double[] byPt = new double[bins];
            long total = 0;
            for (int b = 0; b < counts.length; b++) {
                double center = Histograms.logitEdge(b) + 0.5 / Histograms.LOGIT_STEPS;
                byPt[Math.min(bins - 1, (int) (bins / (1 + Math.exp(-center))))] += counts[b];
                total += counts[b];
                if (Histograms.logitEdge(b) >= EASY_LOGIT) {
                    easy[s] += counts[b];
                } else if (Histograms.logitEdge(b + 1) <= 0) {
                    hard[s] += counts[b];
                }
            }
            XYIntervalSeries series = new XYIntervalSeries("p_t of " + names[s] + " (right axis)");
            for (int b = 0; b < bins && total > 0; b++) {
                double share = byPt[b] / total;
                series.add((b + 0.5) / bins, (double) b / bins, (b + 1.0) / bins, share, share, share);
            }
            easy[s] = total == 0 ? Double.NaN : easy[s] / total;
            hard[s] = total == 0 ? Double.NaN : hard[s] / total;
            data.addSeries(series);
        }
        XYPlot plot = chart.getXYPlot();
        plot.setDataset(1, data);
        NumberAxis share = new NumberAxis("share of the elements");
        share.setNumberFormatOverride(java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT));
        plot.setRangeAxis(1, share);
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, Charts.styleBars(new XYBarRenderer(), 2, 2, 70));
        return "; " + Numbers.percent(easy[1]) + " of the negative elements have p_t of at least "
                + Numbers.format(1 / (1 + Math.exp(-EASY_LOGIT))) + " (x_t >= " + Numbers.format(EASY_LOGIT)
                + ") and " + Numbers.percent(hard[0]) + " of the positive ones p_t below 0.5";
    }

    private Figure focalCurve() {
        double gamma = summary.inputs().gamma();
        double alpha = summary.inputs().alpha();
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries flPos = new XYSeries("focal loss, positive (alpha_t = alpha)");
        XYSeries flNeg = new XYSeries("focal loss, negative (alpha_t = 1 - alpha)");
        XYSeries bce = new XYSeries("BCE (gamma 0, alpha_t 1)");
        XYSeries facPos = new XYSeries("alpha_t (1 - p_t)^gamma, positive");
        XYSeries facNeg = new XYSeries("alpha_t (1 - p_t)^gamma, negative");
        for (int i = 1; i <= 200; i++) {
            double pt = i / 200.0;
            double ce = -Math.log(pt);
            double m = Math.pow(1 - pt, gamma);
            flPos.add(pt, alpha * m * ce);
            flNeg.add(pt, (1 - alpha) * m * ce);
            bce.add(pt, ce);
            facPos.add(pt, alpha * m);
            facNeg.add(pt, (1 - alpha) * m);
        }
        for (XYSeries s : new XYSeries[] {flPos, flNeg, bce, facPos, facNeg}) {
            data.addSeries(s);
        }
        JFreeChart chart = Charts.lines("p_t (the probability of the right answer)", "loss per unit weight", data,
                new boolean[] {false, false, true, false, false});
        NumberAxis y = (NumberAxis) chart.getXYPlot().getRangeAxis();
        y.setRange(0, 3);
        double m = Math.pow(1 - EASY_PT, gamma);
        String spread = summary.histograms().map(h -> ptDistribution(chart, h)).orElse("");
        String caption = "At p_t = " + Numbers.format(EASY_PT) + " the modulating factor alpha_t (1 - p_t)^gamma is "
                + Numbers.format(alpha * m) + " for positives and " + Numbers.format((1 - alpha) * m)
                + " for negatives, the fraction of its plain BCE (" + Numbers.format(-Math.log(EASY_PT))
                + ") that a well-classified element still adds" + spread + ".";
        return new Figure("focal-curve", "The focal loss against p_t", caption, chart, "");
    }

    private Figure perClass() {
        List<EvalSummary.ClassFigures> classes = summary.classes();
        long positives = summary.classes().stream().mapToLong(EvalSummary.ClassFigures::positives).sum();
        double sum = summary.loss().sum();
        List<String> names = new ArrayList<>();
        double[][] v = new double[2][classes.size()];
        EvalSummary.ClassFigures largest = classes.get(0);
        StringBuilder t = new StringBuilder("<table><thead><tr><th>class</th><th>positives</th><th>loss sum</th>"
                + "<th>share</th></tr></thead><tbody>");
        for (EvalSummary.ClassFigures c : classes) {
            names.add(c.name());
            v[0][c.index()] = positives == 0 ? 0 : (double) c.positives() / positives;
            v[1][c.index()] = sum == 0 ? 0 : c.lossSum() / sum;
            if (c.lossSum() > largest.lossSum()) {
                largest = c;
            }
            t.append("<tr><td>").append(Page.escape(c.name())).append("</td>");
            cells(t, String.valueOf(c.positives()), Numbers.format(c.lossSum()), percent(ratio(c.lossSum(), sum)));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        String caption = Page.escape(largest.name()) + " carries the largest share of the loss, "
                + percent(ratio(largest.lossSum(), sum)) + " (" + Numbers.format(largest.lossSum()) + "), with "
                + largest.positives() + " of the " + positives + " positive elements.";
        JFreeChart chart = Charts.bars("share", List.of("share of the positives", "share of the loss"), names, v, true);
        return new Figure("per-class", "Positives and loss by class", caption, chart, t.toString());
    }

    private Figure perSample() {
        List<EvalSummary.Sample> samples = summary.samples();
        double sum = summary.loss().sum();
        long positives = samples.stream().mapToLong(EvalSummary.Sample::positives).sum();
        List<String> names = new ArrayList<>();
        double[][] v = new double[2][samples.size()];
        int largest = 0;
        StringBuilder t = new StringBuilder("<table><thead><tr><th>sample</th><th>positives</th><th>negatives</th>"
                + "<th>ignored</th><th>normalizer</th><th>loss sum</th></tr></thead><tbody>");
        for (int b = 0; b < samples.size(); b++) {
            EvalSummary.Sample s = samples.get(b);
            names.add(String.valueOf(b));
            v[0][b] = positives == 0 ? 0 : (double) s.positives() / positives;
            v[1][b] = sum == 0 ? 0 : s.lossSum() / sum;
            if (s.lossSum() > samples.get(largest).lossSum()) {
                largest = b;
            }
            t.append("<tr><td>").append(b).append("</td>");
            cells(t, String.valueOf(s.positives()), String.valueOf(s.negatives()), String.valueOf(s.ignored()),
                    Numbers.format(s.normalizer()), Numbers.format(s.lossSum()));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        EvalSummary.Sample s = samples.get(largest);
        String caption = "Sample " + largest + " carries the largest share of the loss, "
                + percent(ratio(s.lossSum(), sum)) + " (" + Numbers.format(s.lossSum()) + "), with " + s.positives()
                + " positive anchors and a normalizer of " + Numbers.format(s.normalizer()) + ".";
        JFreeChart chart = Charts.bars("share", List.of("share of the positive anchors", "share of the loss"),
                names, v, true);
        return new Figure("per-sample", "Positives and loss by sample", caption, chart, t.toString());
    }

    /** Where the panels' cells are, said in every BEV caption. */
    private static String orientation(Grid g) {
        return "x (forward, the W axis of " + g.width() + " cells) points up and y (left, the H axis of "
                + g.height() + " cells) to the left, as in OpenPCDet's BEV, so cell (h, w) = (0, 0) is at the"
                + " bottom right";
    }

    private static String samplesDrawn(Grid g) {
        return g.samples() == 1 ? "sample 0" : "samples 0 to " + (g.samples() - 1);
    }

    private Figure bevLoss(EvalSummary.Bev bev) {
        Grid g = bev.grid();
        double top = 0;
        double far = 0;
        double all = 0;
        int[] at = {0, 0, 0};
        for (int s = 0; s < g.samples(); s++) {
            for (int h = 0; h < g.height(); h++) {
                for (int w = 0; w < g.width(); w++) {
                    double v = bev.loss(s, h, w);
                    if (!Double.isFinite(v)) {
                        continue;
                    }
                    all += v;
                    if (2 * w >= g.width()) {
                        far += v;
                    }
                    if (v > top) {
                        top = v;
                        at = new int[] {s, h, w};
                    }
                }
            }
        }
        String caption = "The loss of each cell of " + samplesDrawn(g) + ", summed over its " + g.anchorsPerCell()
                + " anchors and their classes, on a logarithmic scale over " + Heatmap.DECADES
                + " decades: the largest, " + Numbers.format(top) + ", is in sample " + at[0] + " at cell (h, w) = ("
                + at[1] + ", " + at[2] + "), and the far half of the grid (w >= " + (g.width() + 1) / 2 + ") carries "
                + Numbers.percent(all == 0 ? Double.NaN : far / all) + " of the loss drawn; " + orientation(g) + ".";
        return new Figure("bev-loss", "The loss on the BEV grid", caption,
                Heatmap.draw(g, Heatmap.of(bev, true), new Heatmap.Scale(top, true), "loss per cell"));
    }

    private Figure bevPositives(EvalSummary.Bev bev) {
        Grid g = bev.grid();
        long total = 0;
        long top = 0;
        long cells = 0;
        for (long n : bev.positives()) {
            total += n;
            top = Math.max(top, n);
            cells += n > 0 ? 1 : 0;
        }
        String caption = "The " + total + " positive anchors of " + samplesDrawn(g) + " sit in " + cells
                + " cells, at most " + top + " of the " + g.anchorsPerCell() + " anchors of a cell; " + orientation(g)
                + ".";
        return new Figure("bev-positives", "Positive anchors on the BEV grid", caption,
                Heatmap.draw(g, Heatmap.of(bev, false), new Heatmap.Scale(top, false), "positive anchors"));
    }

    private Figure top(List<EvalSummary.TopElement> top) {
        StringBuilder t = new StringBuilder("<table><thead><tr><th>index</th>"
                + (summary.bev().isPresent() ? "<th>cell (h, w), anchor</th>" : "") + "<th>class</th><th>logit</th>"
                + "<th>target</th><th>weight</th><th>loss</th></tr></thead><tbody>");
        for (EvalSummary.TopElement e : top) {
            t.append("<tr><td>").append(Shape.indexString(e.index())).append("</td>");
            summary.bev().ifPresent(b -> t.append("<td>").append(cell(b.grid(), e.index())).append("</td>"));
            cells(t, Page.escape(className(e)), Numbers.format(e.logit()), Numbers.format(e.target()),
                    Numbers.format(e.weight()), Numbers.format(e.loss()));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        EvalSummary.TopElement first = top.get(0);
        String caption = "The largest loss of the " + top.size() + " listed, " + Numbers.format(first.loss())
                + ", is at " + Shape.indexString(first.index()) + " (" + Page.escape(className(first)) + ", logit "
                + Numbers.format(first.logit()) + ", target " + Numbers.format(first.target()) + ").";
        return new Figure("top", "The elements of largest loss", caption, null, t.toString());
    }

    private Figure nonFinite() {
        EvalSummary.NonFinite n = summary.nonFinite();
        StringBuilder t = new StringBuilder("<table><thead><tr><th>anchors</th><th>non-finite losses</th>"
                + "<th>first at</th><th>logit there</th></tr></thead><tbody>");
        for (AnchorKind k : AnchorKind.values()) {
            Optional<EvalSummary.At> at = n.firstByKind().get(k.ordinal());
            t.append("<tr><td>").append(k.label()).append("</td>");
            cells(t, String.valueOf(n.lossByKind()[k.ordinal()]),
                    at.map(a -> Shape.indexString(a.index()) + summary.bev()
                            .map(b -> ", cell (h, w), anchor " + cell(b.grid(), a.index())).orElse("")).orElse(""),
                    at.map(a -> Numbers.format(a.logit())).orElse(""));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        String caption = n.loss() + " loss values are non-finite (" + n.nan() + " NaN, " + n.inf() + " infinite; "
                + n.lossByKind()[AnchorKind.POSITIVE.ordinal()] + " in positive, "
                + n.lossByKind()[AnchorKind.NEGATIVE.ordinal()] + " in negative, "
                + n.lossByKind()[AnchorKind.IGNORED.ordinal()] + " in ignored anchors) and " + n.logits()
                + " logits are.";
        return new Figure("nonfinite", "NaN and infinity", caption, null, t.toString());
    }

    /** Where an element of the (B, A, C) loss sits on the grid: "(h, w), k". */
    static String cell(Grid g, long[] index) {
        long a = index[1];
        long c = a / g.anchorsPerCell();
        return "(" + c / g.width() + ", " + c % g.width() + "), " + a % g.anchorsPerCell();
    }

    private String className(EvalSummary.TopElement e) {
        return summary.classes().get((int) e.classIndex()).name();
    }

    static void row(StringBuilder t, String name, String valueHtml) {
        t.append("<tr><th>").append(name).append("</th><td>").append(valueHtml).append("</td></tr>");
    }

    static void cells(StringBuilder t, String... values) {
        for (String v : values) {
            t.append("<td class=\"n\">").append(v).append("</td>");
        }
    }

    private static OptionalDouble ratio(double a, double b) {
        return b == 0 ? OptionalDouble.empty() : OptionalDouble.of(a / b);
    }

    /** An undefined figure reads as nan, as in the table. */
    private static String format(OptionalDouble v) {
        return Numbers.format(v.orElse(Double.NaN));
    }

    private static String percent(OptionalDouble v) {
        return Numbers.percent(v.orElse(Double.NaN));
    }
}
