package dev.focal.report;

import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Numbers;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.entity.EntityCollection;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report of a many-dumps eval (docs/commands.md#the-report): the summary of the run, with a
 * row per dump, and the {@code trend} of the loss and of the positive and negative shares across
 * the dumps in file order. A dump that failed, or whose loss is not finite, is a gap in the
 * lines and a vertical line of its own colour, never a point left out silently.
 */
final class Trend {
    /** Vertical lines at the dumps that failed, and at those whose loss is NaN or infinite. */
    private static final Color FAILED = Heatmap.NON_FINITE;
    private static final Color NON_FINITE = new Color(0xCC, 0x79, 0xA7);
    /** Past this many marked dumps their lines go unlabelled: the labels would only overlap. */
    private static final int LABELLED = 12;

    private Trend() {
    }

    static List<Figure> figures(List<Dump> dumps, String commandLine) {
        return List.of(summary(dumps, commandLine), trend(dumps));
    }

    private static boolean nonFinite(EvalSummary s) {
        return !Double.isFinite(s.loss().sum());
    }

    private static double perBatch(EvalSummary s) {
        return s.loss().perBatch().orElse(Double.NaN);
    }

    private static double anchorShare(EvalSummary s, AnchorKind k) {
        return s.anchors() == 0 ? Double.NaN : (double) s.kind(k).anchors() / s.anchors();
    }

    private static double lossShare(EvalSummary s, AnchorKind k) {
        return s.kind(k).share().orElse(Double.NaN);
    }

    /** The dump of largest finite loss.per_batch, or -1 when none has one. */
    private static int largest(List<Dump> dumps) {
        int at = -1;
        for (int i = 0; i < dumps.size(); i++) {
            EvalSummary s = dumps.get(i).summary();
            if (s != null && Double.isFinite(perBatch(s)) && (at < 0 || perBatch(s) > perBatch(dumps.get(at).summary()))) {
                at = i;
            }
        }
        return at;
    }

    private static Figure summary(List<Dump> dumps, String commandLine) {
        long failed = dumps.stream().filter(d -> d.summary() == null).count();
        EvalSummary first = dumps.stream().map(Dump::summary).filter(s -> s != null).findFirst().orElse(null);
        StringBuilder t = new StringBuilder("<table class=\"inputs\">");
        Report.row(t, "command", "<code>" + Page.escape(commandLine) + "</code>");
        Report.row(t, "dumps", dumps.size() + " in file order, " + failed + " failed");
        String folder = commonFolder(dumps);
        if (!folder.isEmpty()) {
            Report.row(t, "folder", Page.escape(folder) + " (the table names the files in it)");
        }
        if (first != null) {
            Report.row(t, "gamma, alpha", Numbers.format(first.inputs().gamma()) + ", "
                    + Numbers.format(first.inputs().alpha()));
        }
        t.append("</table>");
        t.append("<table class=\"dumps\"><thead><tr><th>dump</th><th>file</th><th>loss sum</th><th>per_batch</th><th>positive</th>"
                + "<th>negative</th><th>ignored</th><th>positive share</th><th>negative share</th>"
                + "<th>non-finite</th></tr></thead><tbody>");
        for (int i = 0; i < dumps.size(); i++) {
            Dump d = dumps.get(i);
            EvalSummary s = d.summary();
            t.append("<tr><td>").append(i + 1).append("</td><td class=\"file\">")
                    .append(Page.escape(d.file().substring(folder.length()))).append("</td>");
            if (s == null) {
                t.append("<td colspan=\"8\" class=\"error\">").append(Page.escape(d.error())).append("</td></tr>");
                continue;
            }
            Report.cells(t, Numbers.format(s.loss().sum()), Numbers.format(perBatch(s)),
                    String.valueOf(s.kind(AnchorKind.POSITIVE).anchors()),
                    String.valueOf(s.kind(AnchorKind.NEGATIVE).anchors()),
                    String.valueOf(s.kind(AnchorKind.IGNORED).anchors()),
                    Numbers.percent(lossShare(s, AnchorKind.POSITIVE)),
                    Numbers.percent(lossShare(s, AnchorKind.NEGATIVE)), String.valueOf(s.nonFinite().loss()));
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        int top = largest(dumps);
        String caption = dumps.size() + " dumps were evaluated in file order, " + failed + " of them failed"
                + (first == null ? "" : ", at gamma " + Numbers.format(first.inputs().gamma()) + " and alpha "
                        + Numbers.format(first.inputs().alpha()))
                + (top < 0 ? "" : "; the largest loss per sample, " + Numbers.format(perBatch(dumps.get(top).summary()))
                        + ", is dump " + (top + 1) + "'s (" + Page.escape(dumps.get(top).file()) + ")")
                + ".";
        return new Figure("summary", "Summary", caption, null, t.toString());
    }

    /**
     * The folder every dump's file is in, with its slash, or "" when they share none: a training
     * run's dumps share a long one, and the table is too wide for a page with it on every row.
     */
    static String commonFolder(List<Dump> dumps) {
        String first = dumps.get(0).file();
        int end = first.lastIndexOf('/') + 1;
        for (Dump d : dumps) {
            while (end > 0 && !(d.file().length() > end && d.file().startsWith(first.substring(0, end)))) {
                end = first.lastIndexOf('/', end - 2) + 1;
            }
        }
        return first.substring(0, end);
    }

    private static Figure trend(List<Dump> dumps) {
        Points lossRenderer = new Points(1);
        Points shareRenderer = new Points(4);
        XYSeries loss = new XYSeries("loss.per_batch", false, true);
        String[] names = {"positive: share of the loss", "negative: share of the loss",
            "positive: share of the anchors", "negative: share of the anchors"};
        XYSeries[] shares = new XYSeries[names.length];
        for (int s = 0; s < names.length; s++) {
            shares[s] = new XYSeries(names[s], false, true);
        }
        List<ValueMarker> marks = new ArrayList<>();
        int failed = 0;
        int notFinite = 0;
        double[] positiveShare = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < dumps.size(); i++) {
            Dump d = dumps.get(i);
            EvalSummary s = d.summary();
            int x = i + 1;
            String who = "dump " + x + ", " + d.file() + ": ";
            if (s == null || nonFinite(s)) {
                failed += s == null ? 1 : 0;
                notFinite += s == null ? 0 : 1;
                marks.add(mark(x, s == null ? FAILED : NON_FINITE, s == null ? "failed" : Numbers.format(s.loss().sum())));
            }
            double[] values = s == null ? new double[5] : new double[] {perBatch(s),
                lossShare(s, AnchorKind.POSITIVE), lossShare(s, AnchorKind.NEGATIVE),
                anchorShare(s, AnchorKind.POSITIVE), anchorShare(s, AnchorKind.NEGATIVE)};
            for (int v = 0; v < values.length; v++) {
                XYSeries series = v == 0 ? loss : shares[v - 1];
                boolean drawn = s != null && Double.isFinite(values[v]);
                series.add(x, drawn ? Double.valueOf(values[v]) : null);
                String title = !drawn ? null : who + series.getKey() + " " + (v == 0 ? Numbers.format(values[v])
                        : Numbers.percent(values[v]));
                (v == 0 ? lossRenderer : shareRenderer).titles.get(v == 0 ? 0 : v - 1).add(title);
            }
            if (s != null && Double.isFinite(values[1])) {
                positiveShare[0] = Math.min(positiveShare[0], values[1]);
                positiveShare[1] = Math.max(positiveShare[1], values[1]);
            }
        }
        NumberAxis x = new NumberAxis("dump (its number in the summary's table), in file order");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0.5, dumps.size() + 0.5);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        plot.setGap(12);
        XYPlot lossPlot = new XYPlot(new XYSeriesCollection(loss), null, new NumberAxis("loss.per_batch"),
                lossRenderer);
        ((NumberAxis) lossPlot.getRangeAxis()).setAutoRangeIncludesZero(true);
        XYSeriesCollection shareData = new XYSeriesCollection();
        for (XYSeries s : shares) {
            shareData.addSeries(s);
        }
        NumberAxis percent = new NumberAxis("share");
        percent.setNumberFormatOverride(java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT));
        percent.setRange(0, 1);
        XYPlot sharePlot = new XYPlot(shareData, null, percent, shareRenderer);
        for (ValueMarker m : marks) {
            lossPlot.addDomainMarker(m);
            ValueMarker unlabelled = new ValueMarker(m.getValue(), m.getPaint(), m.getStroke());
            sharePlot.addDomainMarker(unlabelled);
            if (marks.size() > LABELLED) {
                m.setLabel(null);
            }
        }
        plot.add(lossPlot, 1);
        plot.add(sharePlot, 1);
        JFreeChart chart = Charts.themed(new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
        // After the theme, which clears the renderers' series paints and strokes.
        lossRenderer.style(0, 0, false);
        for (int s = 0; s < shares.length; s++) {
            // Positive and negative keep their colours; the anchors' share is the dashed one.
            shareRenderer.style(s, s % 2 + 1, s >= 2);
        }
        int top = largest(dumps);
        String caption = "The loss per sample (loss.per_batch, above) of each of the " + dumps.size()
                + " dumps in file order"
                + (top < 0 ? "" : ", largest at dump " + (top + 1) + " (" + Numbers.format(perBatch(dumps.get(top)
                        .summary())) + ")")
                + ", and the positive and negative anchors' shares of the loss (solid) and of the anchors (dashed,"
                + " below)"
                + (positiveShare[0] > positiveShare[1] ? "" : ", the positives' share of the loss between "
                        + Numbers.percent(positiveShare[0]) + " and " + Numbers.percent(positiveShare[1]))
                + "; the red lines mark " + dumps(failed) + " that failed and the purple ones " + dumps(notFinite)
                + " of non-finite loss, gaps in the lines.";
        return new Figure("trend", "The loss across the dumps", caption, chart, "");
    }

    private static String dumps(int n) {
        return n + (n == 1 ? " dump" : " dumps");
    }

    private static ValueMarker mark(int x, Color colour, String label) {
        ValueMarker m = new ValueMarker(x, colour, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                1f, new float[] {4f, 3f}, 0f));
        m.setLabel(label);
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        m.setLabelPaint(colour.darker());
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        return m;
    }

    /** Lines through points, each point titled with its dump and value (see {@link Tooltip}). */
    private static final class Points extends XYLineAndShapeRenderer {
        private static final long serialVersionUID = 1L;
        /** Per series, per point: the title, or null where there is no point. */
        final List<List<String>> titles = new ArrayList<>();

        Points(int series) {
            super(true, true);
            setDrawSeriesLineAsPath(true);
            for (int s = 0; s < series; s++) {
                titles.add(new ArrayList<>());
            }
        }

        void style(int series, int colour, boolean dashed) {
            setSeriesPaint(series, Charts.PALETTE[colour]);
            setSeriesShape(series, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            setSeriesStroke(series, dashed
                    ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(1.5f));
        }

        @Override
        protected void drawSecondaryPass(Graphics2D g2, XYPlot plot, XYDataset dataset, int pass, int series,
                                         int item, ValueAxis domainAxis, Rectangle2D dataArea, ValueAxis rangeAxis,
                                         CrosshairState crosshairState, EntityCollection entities) {
            String title = titles.get(series).get(item);
            Runnable draw = () -> super.drawSecondaryPass(g2, plot, dataset, pass, series, item, domainAxis, dataArea,
                    rangeAxis, crosshairState, entities);
            if (title == null) {
                draw.run();
            } else {
                Tooltip.around(g2, title, draw);
            }
        }
    }
}
