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
 * left out rather than drawn empty. A heatmap loss gets the same figures in its own words and
 * curves: its kinds are peak, near and background elements, not anchors
 * (docs/semantics.md#heatmap-element-kinds).
 */
public final class Report {
    /** The p_t at which the focal-curve caption reads the modulating factor: a well-classified element. */
    static final double EASY_PT = 0.9;

    private final EvalSummary summary;
    private final String commandLine;
    private final String title;
    /** Whether the loss is a heatmap loss, whose figures speak of elements and peaks. */
    private final boolean heatmap;
    private final List<Figure> figures = new ArrayList<>();

    private Report(EvalSummary summary, String commandLine) {
        this.summary = summary;
        this.commandLine = commandLine;
        this.title = Page.title(summary);
        this.heatmap = summary.inputs().heatmap();
        figures.add(summaryFigure());
        figures.add(lossShare());
        summary.histograms().filter(Report::anyLoss).ifPresent(h -> figures.add(lossHistogram(h)));
        figures.add(heatmap ? heatmapCurve() : focalCurve());
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
     * Loads the charting library and its fonts by drawing a small chart as SVG, as the page draws
     * its charts: run on a thread of its own during the pass, it takes most of the report's
     * start-up off the run's critical path.
     */
    public static void warmUp() {
        new Figure("warm-up", "", "", smallChart(), null).inline();
    }

    /**
     * Loads Java2D's raster loops and the PNG writer, which only heatmaps and --plots' PNGs use:
     * a report of charts alone leaves them unloaded (BENCHMARKS.md, "The HTML report's cost").
     */
    public static void warmUpPixels() {
        smallChart().createBufferedImage(64, 48);
        Figure.pngBytes(new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB));
    }

    private static JFreeChart smallChart() {
        double[][] v = {{1}};
        return Charts.bars("share", List.of("a"), List.of("b"), v, true);
    }

    /** A report of figures over several evaluations, which no one summary stands for. */
    private Report(String title, List<Figure> figures) {
        this.summary = null;
        this.commandLine = null;
        this.title = title;
        this.heatmap = false;
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
        String caption = heatmap ? heatmapSummary() : "The loss of " + Shape.of(in.shape()) + " " + in.dtype()
                + " elements at gamma " + Numbers.format(in.gamma()) + " and alpha " + Numbers.format(in.alpha())
                + " sums to " + Numbers.format(loss.sum()) + ", " + format(loss.perBatch()) + " per sample.";
        StringBuilder t = new StringBuilder();
        t.append("<table class=\"inputs\">");
        row(t, "command", "<code>" + Page.escape(commandLine) + "</code>");
        String weight = in.lossWeight() == 1 ? "" : " (loss weight " + Numbers.format(in.lossWeight()) + ")";
        if (heatmap) {
            row(t, "loss", Page.escape(in.loss()) + ", alpha " + Numbers.format(in.alpha()) + " (the power of p), gamma "
                    + Numbers.format(in.gamma()) + " (the power of 1 - gt)" + weight);
        } else {
            row(t, "gamma, alpha", Numbers.format(in.gamma()) + ", " + Numbers.format(in.alpha()) + weight);
        }
        row(t, "shape, dtype", Shape.of(in.shape()) + " " + in.dtype()
                + (in.logitsDtype().equals(in.dtype()) ? "" : " (logits " + in.logitsDtype() + ")"));
        row(t, "weights", Page.escape(in.weightsSource()));
        summary.labels().ifPresent(l -> row(t, "labels", Page.escape(l.file()) + ": num_classes " + l.numClasses()
                + ", background " + l.background() + ", normalize " + l.normalize() + ", pos_weight "
                + Numbers.format(l.posWeight()) + ", neg_weight " + Numbers.format(l.negWeight())));
        row(t, heatmap ? "value" : "loss", "sum " + Numbers.format(loss.sum()) + ", mean " + format(loss.mean())
                + ", per_batch " + format(loss.perBatch())
                + (loss.head().isPresent() ? ", head " + format(loss.head()) : ""));
        t.append("</table>");
        String unit = unit();
        t.append("<table><thead><tr><th>" + unit + "s</th><th>count</th><th>loss sum</th><th>share</th>"
                + "<th>mean/" + unit + "</th><th>" + (heatmap ? "factor" : "focal") + " mean</th></tr></thead><tbody>");
        for (EvalSummary.Kind k : summary.kinds()) {
            t.append("<tr><td>").append(summary.label(k.kind())).append("</td>");
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

    /** The summary's caption for a heatmap loss: the sum, and the head's number over the peaks. */
    private String heatmapSummary() {
        EvalSummary.Inputs in = summary.inputs();
        EvalSummary.Loss loss = summary.loss();
        long peaks = summary.kind(AnchorKind.POSITIVE).anchors();
        return "The " + Page.escape(in.loss()) + " heatmap loss of " + Shape.of(in.shape()) + " " + in.dtype()
                + " elements (classes last) at alpha " + Numbers.format(in.alpha()) + " and gamma "
                + Numbers.format(in.gamma()) + " sums to " + Numbers.format(loss.sum())
                + (peaks == 0 ? "; with no peak, the head's number is that sum itself"
                : ", which over its " + peaks + " peaks is " + format(loss.head()) + ", the head's number") + ".";
    }

    /** What the kinds count: anchors, or a heatmap loss's elements. */
    private String unit() {
        return heatmap ? "element" : "anchor";
    }

    /** A kind's elements or anchors in a sentence: "positive anchors", "peaks", "near elements". */
    private String kindPhrase(AnchorKind k) {
        return heatmap && k == AnchorKind.POSITIVE ? "peaks" : summary.label(k) + " " + unit() + "s";
    }

    /** What a class or sample counts: its positive elements, or a heatmap loss's peaks. */
    private String positivesWord() {
        return heatmap ? "peaks" : "positives";
    }

    private Figure lossShare() {
        List<String> kinds = new ArrayList<>();
        double[][] v = new double[2][AnchorKind.values().length];
        double anchors = summary.anchors();
        for (EvalSummary.Kind k : summary.kinds()) {
            kinds.add(summary.label(k.kind()));
            v[0][k.kind().ordinal()] = anchors == 0 ? 0 : k.anchors() / anchors;
            v[1][k.kind().ordinal()] = k.share().orElse(0);
        }
        EvalSummary.Kind pos = summary.kind(AnchorKind.POSITIVE);
        EvalSummary.Kind neg = summary.kind(AnchorKind.NEGATIVE);
        String caption = heatmap
                ? "Peaks are " + Numbers.percent(v[0][0]) + " of the elements and carry " + percent(pos.share())
                + " of the loss; near elements are " + Numbers.percent(v[0][1]) + " and carry " + percent(neg.share())
                + "; background elements are " + Numbers.percent(v[0][2]) + " and carry "
                + percent(summary.kind(AnchorKind.IGNORED).share()) + "."
                : "Positive anchors are " + Numbers.percent(v[0][0]) + " of the anchors and carry "
                + percent(pos.share()) + " of the loss; negative anchors are " + Numbers.percent(v[0][1])
                + " and carry " + percent(neg.share()) + ".";
        JFreeChart chart = Charts.bars("share", List.of("share of the " + unit() + "s", "share of the loss"), kinds, v,
                true);
        return new Figure("loss-share", "Share of " + unit() + "s and of the loss", caption, chart, "");
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
        // A heatmap's kinds in the colours of its curve figure: peaks, background, near.
        AnchorKind[] order = heatmap
                ? new AnchorKind[] {AnchorKind.POSITIVE, AnchorKind.IGNORED, AnchorKind.NEGATIVE}
                : new AnchorKind[] {AnchorKind.NEGATIVE, AnchorKind.POSITIVE, AnchorKind.IGNORED};
        for (AnchorKind k : order) {
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
            XYIntervalSeries s = new XYIntervalSeries(kindPhrase(k) + " (" + total + ")");
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
                    + Numbers.format(Histograms.lossEdge(median + 1)) + ") for " + kindPhrase(k));
        }
        String unit = unit();
        JFreeChart chart = Charts.histogram(heatmap ? "loss of an element" : "loss of an anchor (summed over its classes)",
                "share of the kind's " + unit + "s", data, true);
        String caption = "The median " + unit + " loss is in " + String.join(" and in ", medians) + "; " + zero
                + " " + unit + "s of loss 0 are not drawn.";
        return new Figure("loss-histogram", "The loss of each " + unit + ", by kind", caption, chart, "");
    }

    /** p_t = sigmoid(x_t): x_t at or above this puts an element in the focal curve's flat tail. */
    static final double EASY_LOGIT = 2;

    /** Bins of the sigmoid of the logit: the report's p_t and p axis. */
    private static final int P_BINS = 20;

    /**
     * A series of the share of the elements of {@code counts} (logit bins) in each of
     * {@link #P_BINS} bins of the logit's sigmoid, for the right axis of a curve's chart.
     */
    private static XYIntervalSeries pSeries(String name, long[] counts) {
        double[] byP = new double[P_BINS];
        long total = 0;
        for (int b = 0; b < counts.length; b++) {
            double center = Histograms.logitEdge(b) + 0.5 / Histograms.LOGIT_STEPS;
            byP[Math.min(P_BINS - 1, (int) (P_BINS / (1 + Math.exp(-center))))] += counts[b];
            total += counts[b];
        }
        XYIntervalSeries series = new XYIntervalSeries(name + " (right axis)");
        for (int b = 0; b < P_BINS && total > 0; b++) {
            double share = byP[b] / total;
            series.add((b + 0.5) / P_BINS, (double) b / P_BINS, (b + 1.0) / P_BINS, share, share, share);
        }
        return series;
    }

    /** The share of the elements of {@code counts} (logit bins) whose logit is in [from, to); NaN for none. */
    static double logitShare(long[] counts, double from, double to) {
        double part = 0;
        double total = 0;
        for (int b = 0; b < counts.length; b++) {
            total += counts[b];
            if (Histograms.logitEdge(b) >= from && Histograms.logitEdge(b + 1) <= to) {
                part += counts[b];
            }
        }
        return total == 0 ? Double.NaN : part / total;
    }

    /** Puts the distributions on the chart's right axis, as translucent bars from colour {@code first} on. */
    private static void distributions(JFreeChart chart, XYIntervalSeriesCollection data, int first) {
        XYPlot plot = chart.getXYPlot();
        plot.setDataset(1, data);
        NumberAxis share = new NumberAxis("share of the elements");
        share.setNumberFormatOverride(java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT));
        plot.setRangeAxis(1, share);
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, Charts.styleBars(new XYBarRenderer(), first, data.getSeriesCount(), 70));
    }

    /** Adds the p_t distribution (from the x_t bins) to the curve's chart, on an axis of its own. */
    private static String ptDistribution(JFreeChart chart, Histograms h) {
        long[] pos = h.logit(AnchorKind.POSITIVE);
        long[] neg = h.logit(AnchorKind.NEGATIVE);
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        data.addSeries(pSeries("p_t of positive elements", pos));
        data.addSeries(pSeries("p_t of negative elements", neg));
        distributions(chart, data, 2);
        return "; " + Numbers.percent(logitShare(neg, EASY_LOGIT, Double.POSITIVE_INFINITY))
                + " of the negative elements have p_t of at least " + Numbers.format(1 / (1 + Math.exp(-EASY_LOGIT)))
                + " (x_t >= " + Numbers.format(EASY_LOGIT) + ") and "
                + Numbers.percent(logitShare(pos, Double.NEGATIVE_INFINITY, 0)) + " of the positive ones p_t below 0.5";
    }

    /** The p at which the heatmap curve's caption reads a background element's loss: a well-classified one. */
    static final double EASY_P = 0.1;

    /** The near elements' gt values whose negative term the heatmap curve draws, beside gt = 0. */
    static final double[] NEAR_GT = {0.5, 0.8};

    /**
     * The heatmap loss's two terms against p, the clamped sigmoid (docs/semantics.md#heatmap-losses):
     * a peak's -log(p) (1 - p)^alpha, and the negative term -log(1 - p) p^alpha (1 - gt)^gamma at
     * gt = 0 (background) and at a few near values; with the p of the data's peaks, near and
     * background elements. On a log axis: (1 - gt)^gamma puts the near curves decades below.
     */
    private Figure heatmapCurve() {
        double gamma = summary.inputs().gamma();
        double alpha = summary.inputs().alpha();
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries peak = new XYSeries("peak: -log(p) (1 - p)^alpha");
        XYSeries background = new XYSeries("background (gt 0): -log(1 - p) p^alpha");
        XYSeries[] near = new XYSeries[NEAR_GT.length];
        for (int g = 0; g < near.length; g++) {
            near[g] = new XYSeries("near, gt " + Numbers.format(NEAR_GT[g]) + ": the background's times (1 - gt)^gamma = "
                    + Numbers.format(Math.pow(1 - NEAR_GT[g], gamma)));
        }
        for (int i = 1; i < 200; i++) {
            double p = i / 200.0;
            double pos = -Math.log(p) * Math.pow(1 - p, alpha);
            double neg = -Math.log1p(-p) * Math.pow(p, alpha);
            peak.add(p, pos);
            background.add(p, neg);
            for (int g = 0; g < near.length; g++) {
                near[g].add(p, neg * Math.pow(1 - NEAR_GT[g], gamma));
            }
        }
        data.addSeries(peak);
        data.addSeries(background);
        for (XYSeries n : near) {
            data.addSeries(n);
        }
        boolean[] dashed = new boolean[data.getSeriesCount()];
        java.util.Arrays.fill(dashed, 2, dashed.length, true);
        JFreeChart chart = Charts.lines("p (the clamped sigmoid of the logit)", "loss of one element", data, dashed);
        Charts.logRange(chart, "loss of one element (log scale)", 1e-6, 10);
        String spread = summary.histograms().map(h -> {
            long[] peaks = h.logit(AnchorKind.POSITIVE);
            long[] background0 = h.logit(AnchorKind.IGNORED);
            XYIntervalSeriesCollection d = new XYIntervalSeriesCollection();
            d.addSeries(pSeries("p of the peaks", peaks));
            d.addSeries(pSeries("p of the background", background0));
            d.addSeries(pSeries("p of the near elements", h.logit(AnchorKind.NEGATIVE)));
            // Colours as the curves': peaks, background, near.
            distributions(chart, d, 0);
            return "; " + Numbers.percent(logitShare(background0, Double.NEGATIVE_INFINITY, -EASY_LOGIT))
                    + " of the background elements have p below " + Numbers.format(1 / (1 + Math.exp(EASY_LOGIT)))
                    + " (x < " + Numbers.format(-EASY_LOGIT) + ") and "
                    + Numbers.percent(logitShare(peaks, Double.NEGATIVE_INFINITY, 0)) + " of the peaks p below 0.5";
        }).orElse("");
        double peakEasy = -Math.log(EASY_PT) * Math.pow(1 - EASY_PT, alpha);
        double backgroundEasy = -Math.log1p(-EASY_P) * Math.pow(EASY_P, alpha);
        String caption = "A peak at p = " + Numbers.format(EASY_PT) + " adds " + Numbers.format(peakEasy)
                + " and a background element at p = " + Numbers.format(EASY_P) + " adds "
                + Numbers.format(backgroundEasy) + ", a near element of gt = " + Numbers.format(NEAR_GT[0])
                + " there " + Numbers.format(backgroundEasy * Math.pow(1 - NEAR_GT[0], gamma)) + spread + ".";
        return new Figure("focal-curve", "The heatmap loss against p", caption, chart, "");
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
        StringBuilder t = new StringBuilder("<table><thead><tr><th>class</th><th>" + positivesWord()
                + "</th><th>loss sum</th><th>share</th></tr></thead><tbody>");
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
                + largest.positives() + " of the " + positives + (heatmap ? " peaks." : " positive elements.");
        JFreeChart chart = Charts.bars("share", List.of("share of the " + positivesWord(), "share of the loss"), names,
                v, true);
        return new Figure("per-class", (heatmap ? "Peaks" : "Positives") + " and loss by class", caption, chart,
                t.toString());
    }

    private Figure perSample() {
        List<EvalSummary.Sample> samples = summary.samples();
        double sum = summary.loss().sum();
        long positives = samples.stream().mapToLong(EvalSummary.Sample::positives).sum();
        List<String> names = new ArrayList<>();
        double[][] v = new double[2][samples.size()];
        int largest = 0;
        StringBuilder t = new StringBuilder(heatmap
                ? "<table><thead><tr><th>sample</th><th>peaks</th><th>near</th><th>background</th><th>loss sum</th>"
                + "</tr></thead><tbody>"
                : "<table><thead><tr><th>sample</th><th>positives</th><th>negatives</th><th>ignored</th>"
                + "<th>normalizer</th><th>loss sum</th></tr></thead><tbody>");
        for (int b = 0; b < samples.size(); b++) {
            EvalSummary.Sample s = samples.get(b);
            names.add(String.valueOf(b));
            v[0][b] = positives == 0 ? 0 : (double) s.positives() / positives;
            v[1][b] = sum == 0 ? 0 : s.lossSum() / sum;
            if (s.lossSum() > samples.get(largest).lossSum()) {
                largest = b;
            }
            t.append("<tr><td>").append(b).append("</td>");
            if (heatmap) {
                cells(t, String.valueOf(s.positives()), String.valueOf(s.negatives()), String.valueOf(s.ignored()),
                        Numbers.format(s.lossSum()));
            } else {
                cells(t, String.valueOf(s.positives()), String.valueOf(s.negatives()), String.valueOf(s.ignored()),
                        Numbers.format(s.normalizer()), Numbers.format(s.lossSum()));
            }
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        EvalSummary.Sample s = samples.get(largest);
        String caption = "Sample " + largest + " carries the largest share of the loss, "
                + percent(ratio(s.lossSum(), sum)) + " (" + Numbers.format(s.lossSum()) + "), with " + s.positives()
                + (heatmap ? (s.positives() == 1 ? " peak." : " peaks.") : " positive anchors and a normalizer of " + Numbers.format(s.normalizer()) + ".");
        JFreeChart chart = Charts.bars("share", List.of("share of the " + kindPhrase(AnchorKind.POSITIVE),
                "share of the loss"), names, v, true);
        return new Figure("per-sample", (heatmap ? "Peaks" : "Positives") + " and loss by sample", caption, chart,
                t.toString());
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
        String caption = "The loss of each cell of " + samplesDrawn(g) + ", summed over its " + members(g)
                + ", on a logarithmic scale over " + Heatmap.DECADES
                + " decades: the largest, " + Numbers.format(top) + ", is in sample " + at[0] + " at cell (h, w) = ("
                + at[1] + ", " + at[2] + "), and the far half of the grid (w >= " + (g.width() + 1) / 2 + ") carries "
                + Numbers.percent(all == 0 ? Double.NaN : far / all) + " of the loss drawn; " + orientation(g) + ".";
        return Heatmap.figure("bev-loss", "The loss on the BEV grid", caption, g, bev::loss,
                new Heatmap.Scale(top, true), "loss per cell", "");
    }

    /** What a cell sums: its anchors and their classes, or a heatmap's classes at the cell. */
    private String members(Grid g) {
        int classes = summary.classes().size();
        return g.anchorsPerCell() == 1 && heatmap ? classes + (classes == 1 ? " class" : " classes")
                : g.anchorsPerCell() + " anchors and their classes";
    }

    private Figure bevPositives(EvalSummary.Bev bev) {
        Grid g = bev.grid();
        long total = 0;
        long top = 0;
        long cells = 0;
        for (int n : bev.positives()) {
            total += n;
            top = Math.max(top, n);
            cells += n > 0 ? 1 : 0;
        }
        int classes = summary.classes().size();
        String caption = heatmap
                ? "The " + total + " peaks (elements of gt = 1) of " + samplesDrawn(g) + " sit in " + cells
                + " cells, at most " + top + " of the " + (g.anchorsPerCell() * (long) classes)
                + " elements of a cell; " + orientation(g) + "."
                : "The " + total + " positive anchors of " + samplesDrawn(g) + " sit in " + cells + " cells, at most "
                + top + " of the " + g.anchorsPerCell() + " anchors of a cell; " + orientation(g) + ".";
        return Heatmap.figure("bev-positives", heatmap ? "Peaks on the BEV grid" : "Positive anchors on the BEV grid",
                caption, g, (s, h, w) -> bev.positives(s, h, w), new Heatmap.Scale(top, false),
                heatmap ? "peaks" : "positive anchors", "");
    }

    private Figure top(List<EvalSummary.TopElement> top) {
        // A heatmap loss takes no weights: its column would be all ones.
        StringBuilder t = new StringBuilder("<table><thead><tr><th>index</th>"
                + summary.bev().map(b -> "<th>" + cellHeader(b.grid()) + "</th>").orElse("")
                + "<th>class</th><th>logit</th><th>" + (heatmap ? "gt" : "target") + "</th>"
                + (heatmap ? "" : "<th>weight</th>") + "<th>loss</th></tr></thead><tbody>");
        for (EvalSummary.TopElement e : top) {
            t.append("<tr><td>").append(Shape.indexString(e.index())).append("</td>");
            summary.bev().ifPresent(b -> t.append("<td>").append(cell(b.grid(), e.index())).append("</td>"));
            cells(t, Page.escape(className(e)), Numbers.format(e.logit()), Numbers.format(e.target()));
            if (!heatmap) {
                cells(t, Numbers.format(e.weight()));
            }
            cells(t, Numbers.format(e.loss()));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        EvalSummary.TopElement first = top.get(0);
        String caption = "The largest loss of the " + top.size() + " listed, " + Numbers.format(first.loss())
                + ", is at " + Shape.indexString(first.index()) + " (" + Page.escape(className(first)) + ", logit "
                + Numbers.format(first.logit()) + ", " + (heatmap ? "gt " : "target ")
                + Numbers.format(first.target()) + ").";
        return new Figure("top", "The elements of largest loss", caption, null, t.toString());
    }

    private Figure nonFinite() {
        EvalSummary.NonFinite n = summary.nonFinite();
        StringBuilder t = new StringBuilder("<table><thead><tr><th>" + unit() + "s</th><th>non-finite losses</th>"
                + "<th>first at</th><th>logit there</th></tr></thead><tbody>");
        for (AnchorKind k : AnchorKind.values()) {
            Optional<EvalSummary.At> at = n.firstByKind().get(k.ordinal());
            t.append("<tr><td>").append(summary.label(k)).append("</td>");
            cells(t, String.valueOf(n.lossByKind()[k.ordinal()]),
                    at.map(a -> Shape.indexString(a.index()) + summary.bev()
                            .map(b -> ", " + cellHeader(b.grid()) + " " + cell(b.grid(), a.index())).orElse(""))
                            .orElse(""),
                    at.map(a -> Numbers.format(a.logit())).orElse(""));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        String caption = n.loss() + " loss values are non-finite (" + n.nan() + " NaN, " + n.inf() + " infinite; "
                + n.lossByKind()[AnchorKind.POSITIVE.ordinal()] + " in " + kindPhrase(AnchorKind.POSITIVE) + ", "
                + n.lossByKind()[AnchorKind.NEGATIVE.ordinal()] + " in " + kindPhrase(AnchorKind.NEGATIVE) + ", "
                + n.lossByKind()[AnchorKind.IGNORED.ordinal()] + " in " + kindPhrase(AnchorKind.IGNORED) + ") and "
                + n.logits() + " logits are";
        return summary.bev().filter(b -> b.grid().samples() > 0).flatMap(b -> nonFiniteMap(b, caption, t.toString()))
                .orElseGet(() -> new Figure("nonfinite", "NaN and infinity", caption + ".", null, t.toString()));
    }

    /** The non-finite figure with its map of the non-finite losses per cell, when the cells drawn have some. */
    private static Optional<Figure> nonFiniteMap(EvalSummary.Bev bev, String caption, String table) {
        Grid g = bev.grid();
        long drawn = 0;
        long cells = 0;
        int top = 0;
        int[] at = null;
        for (int s = 0; s < g.samples(); s++) {
            for (int h = 0; h < g.height(); h++) {
                for (int w = 0; w < g.width(); w++) {
                    int v = bev.nonFinite(s, h, w);
                    drawn += v;
                    cells += v > 0 ? 1 : 0;
                    if (v > top) {
                        top = v;
                        at = new int[] {s, h, w};
                    }
                }
            }
        }
        if (at == null) {
            return Optional.empty();
        }
        String where = "; the map counts them per cell of " + samplesDrawn(g) + ": " + drawn + " in " + cells
                + " cells, at most " + top + " in sample " + at[0] + " at cell (h, w) = (" + at[1] + ", " + at[2]
                + "); " + orientation(g);
        return Optional.of(Heatmap.figure("nonfinite", "NaN and infinity", caption + where + ".", g,
                (s, h, w) -> bev.nonFinite(s, h, w), new Heatmap.Scale(top, false), "non-finite losses", table));
    }

    /** The grid's column head: a cell, and the anchor in it when a cell holds more than one. */
    private static String cellHeader(Grid g) {
        return g.anchorsPerCell() == 1 ? "cell (h, w)" : "cell (h, w), anchor";
    }

    /**
     * Where an element of the loss sits on the grid, "(h, w)" and ", k" for its anchor when a cell
     * has several: of the (B, A, C) loss, anchor a of its sample; of a heatmap's (B, H, W, C), (h, w).
     */
    static String cell(Grid g, long[] index) {
        long a = index.length == 4 ? index[1] * g.width() + index[2] : index[1];
        long c = a / g.anchorsPerCell();
        return "(" + c / g.width() + ", " + c % g.width() + ")"
                + (g.anchorsPerCell() == 1 ? "" : ", " + a % g.anchorsPerCell());
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
