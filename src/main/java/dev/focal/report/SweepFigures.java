package dev.focal.report;

import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Numbers;
import dev.focal.tensor.Shape;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.AbstractXYAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report of a gamma x alpha sweep (docs/commands.md#the-report): the run's summary with a
 * row per pair, the {@code sweep} heatmap of --sweep-metric over the pairs, each cell with its
 * value written in, and the {@code focal-curve} of each swept gamma.
 */
final class SweepFigures {
    /** Undefined cells (a mean over nothing): neither low nor high on the scale. */
    private static final Color UNDEFINED = new Color(0xBBBBBB);
    /** At most this many gammas get a curve of their own: more lines than this read as one band. */
    static final int CURVES = 8;
    /** Cells smaller than this, in pixels, get no rule around them. */
    private static final double MIN_RULED = 6;

    private SweepFigures() {
    }

    static List<Figure> figures(Sweep sweep, String commandLine) {
        return List.of(summary(sweep, commandLine), heatmap(sweep), curves(sweep.gammas()));
    }

    private static String values(double[] v) {
        List<String> s = new ArrayList<>();
        for (double d : v) {
            s.add(Numbers.format(d));
        }
        return String.join(", ", s);
    }

    /** A cell's text: a count as it is, a figure with seven digits, "-" where it is undefined. */
    static String text(Number v) {
        return v == null ? "-" : v instanceof Double ? Numbers.format((Double) v) : v.toString();
    }

    private static Figure summary(Sweep sweep, String commandLine) {
        EvalSummary.Inputs in = sweep.summaries().get(0).inputs();
        StringBuilder t = new StringBuilder("<table class=\"inputs\">");
        Report.row(t, "command", "<code>" + Page.escape(commandLine) + "</code>");
        Report.row(t, "input", Page.escape(sweep.input()));
        Report.row(t, "shape, dtype", Shape.of(in.shape()) + " " + in.dtype());
        Report.row(t, "weights", Page.escape(in.weightsSource()));
        Report.row(t, "gamma", values(sweep.gammas()));
        Report.row(t, "alpha", values(sweep.alphas()));
        t.append("</table>");
        // The metric's own column, unless it is one of those already listed.
        boolean metric = !List.of("loss.sum", "loss.per_batch", "positive.share", "negative.share")
                .contains(sweep.metric());
        t.append("<table><thead><tr><th>gamma</th><th>alpha</th><th>loss sum</th><th>per_batch</th>"
                + "<th>positive share</th><th>negative share</th>")
                .append(metric ? "<th>" + Page.escape(sweep.metric()) + "</th>" : "").append("</tr></thead><tbody>");
        for (int p = 0; p < sweep.summaries().size(); p++) {
            EvalSummary s = sweep.summaries().get(p);
            t.append("<tr>");
            Report.cells(t, Numbers.format(s.inputs().gamma()), Numbers.format(s.inputs().alpha()),
                    Numbers.format(s.loss().sum()), Numbers.format(s.loss().perBatch().orElse(Double.NaN)),
                    Numbers.percent(s.kind(AnchorKind.POSITIVE).share().orElse(Double.NaN)),
                    Numbers.percent(s.kind(AnchorKind.NEGATIVE).share().orElse(Double.NaN)));
            if (metric) {
                Report.cells(t, text(sweep.grid()[p / sweep.alphas().length][p % sweep.alphas().length]));
            }
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        String caption = "The " + sweep.gammas().length + " x " + sweep.alphas().length + " (gamma, alpha) pairs were"
                + " evaluated on the same " + Shape.of(in.shape()) + " " + in.dtype() + " elements of "
                + Page.escape(sweep.input()) + " in one pass, a row each.";
        return new Figure("summary", "Summary", caption, null, t.toString());
    }

    /** Viridis from the smallest to the largest finite value of the grid. */
    private record Scale(double lower, double upper) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lower;
        }

        @Override
        public double getUpperBound() {
            return upper;
        }

        double position(double v) {
            return upper > lower ? Math.max(0, Math.min(1, (v - lower) / (upper - lower))) : 0.5;
        }

        @Override
        public Paint getPaint(double v) {
            return Heatmap.colour(position(v));
        }
    }

    private static Figure heatmap(Sweep sweep) {
        double[] g = sweep.gammas();
        double[] a = sweep.alphas();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int[] low = null;
        int[] high = null;
        for (int r = 0; r < g.length; r++) {
            for (int c = 0; c < a.length; c++) {
                Number v = sweep.grid()[r][c];
                if (v != null && Double.isFinite(v.doubleValue())) {
                    if (v.doubleValue() < lo) {
                        lo = v.doubleValue();
                        low = new int[] {r, c};
                    }
                    if (v.doubleValue() > hi) {
                        hi = v.doubleValue();
                        high = new int[] {r, c};
                    }
                }
            }
        }
        // A scale of one value (a count alike in every pair) spreads around it: its cells sit mid-scale.
        double pad = lo < hi ? 0 : lo == 0 ? 0.5 : Math.abs(lo) / 2;
        Scale scale = low == null ? new Scale(0, 1) : new Scale(lo - pad, hi + pad);
        String caption = sweep.metric() + " for each of the " + g.length * a.length + " (gamma, alpha) pairs, rows"
                + " gamma and columns alpha, on a linear colour scale"
                + (low == null ? " (no cell is finite)"
                        : " from its smallest, " + Numbers.format(lo) + " at gamma " + Numbers.format(g[low[0]])
                        + " and alpha " + Numbers.format(a[low[1]]) + ", to its largest, " + Numbers.format(hi)
                        + " at gamma " + Numbers.format(g[high[0]]) + " and alpha " + Numbers.format(a[high[1]]))
                + "; each cell holds its value where it fits (its tooltip always does), red marks NaN or"
                + " infinity and grey an undefined figure.";
        return Figure.twin("sweep", "The sweep over gamma and alpha", caption, chart(sweep, scale, Heatmap.Theme.LIGHT),
                chart(sweep, scale, Heatmap.Theme.DARK), "");
    }

    /**
     * The sweep's chart in a theme: a dark screen gets a drawing of its own, as the BEV heatmaps
     * do, since the charts' inversion would turn viridis and the NaN red into other scales.
     */
    private static JFreeChart chart(Sweep sweep, Scale scale, Heatmap.Theme theme) {
        double[] g = sweep.gammas();
        double[] a = sweep.alphas();
        NumberAxis alphaAxis = axis("alpha", a);
        NumberAxis gammaAxis = axis("gamma", g);
        // Rows in the order of the terminal's grid: the first gamma on top.
        gammaAxis.setInverted(true);
        XYPlot plot = new XYPlot(null, alphaAxis, gammaAxis, new XYLineAndShapeRenderer(false, false));
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        for (int r = 0; r < g.length; r++) {
            for (int c = 0; c < a.length; c++) {
                plot.addAnnotation(new Cell(r, c, sweep, scale, theme.background), false);
            }
        }
        JFreeChart chart = Charts.themed(new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false));
        NumberAxis scaleAxis = new NumberAxis(sweep.metric());
        scaleAxis.setRange(scale.lower(), scale.upper());
        scaleAxis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        legend.setMargin(new RectangleInsets(8, 10, 8, 4));
        legend.setStripWidth(14);
        legend.setSubdivisionCount(64);
        chart.addSubtitle(legend);
        return theme == Heatmap.Theme.LIGHT ? chart : Charts.dark(chart, theme);
    }

    /**
     * An axis over the values' positions, ticked with the values themselves: every one when
     * their labels fit, else every second, fifth, tenth... as a number axis thins its ticks.
     */
    private static NumberAxis axis(String name, double[] values) {
        NumberAxis axis = new NumberAxis(name);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        axis.setNumberFormatOverride(new Labels(values));
        axis.setAutoRange(false);
        axis.setRange(-0.5, values.length - 0.5);
        axis.setMinorTickMarksVisible(false);
        return axis;
    }

    /** Position i (a tick's value) as the i-th swept value, the nearest one between ticks. */
    private static final class Labels extends NumberFormat {
        private static final long serialVersionUID = 1L;
        private final double[] values;

        Labels(double[] values) {
            this.values = values.clone();
        }

        @Override
        public StringBuffer format(double position, StringBuffer to, FieldPosition at) {
            int i = (int) Math.max(0, Math.min(values.length - 1, Math.round(position)));
            return to.append(Numbers.format(values[i]));
        }

        @Override
        public StringBuffer format(long position, StringBuffer to, FieldPosition at) {
            return format((double) position, to, at);
        }

        @Override
        public Number parse(String source, ParsePosition at) {
            throw new UnsupportedOperationException("an axis of swept values is only drawn");
        }
    }

    /**
     * The distinct swept gammas, or {@link #CURVES} of them spread evenly over the sorted list
     * (its smallest and largest among them).
     */
    static double[] drawn(double[] gammas) {
        double[] distinct = Arrays.stream(gammas).distinct().sorted().toArray();
        if (distinct.length <= CURVES) {
            return distinct;
        }
        double[] some = new double[CURVES];
        for (int i = 0; i < CURVES; i++) {
            some[i] = distinct[(int) Math.round(i * (distinct.length - 1) / (double) (CURVES - 1))];
        }
        return some;
    }

    private static Figure curves(double[] gammas) {
        double[] drawn = drawn(gammas);
        XYSeriesCollection data = new XYSeriesCollection();
        boolean bce = drawn[0] != 0;
        boolean[] dashed = new boolean[drawn.length + (bce ? 1 : 0)];
        for (double g : drawn) {
            data.addSeries(curve("gamma " + Numbers.format(g), g));
        }
        if (bce) {
            data.addSeries(curve("BCE (gamma 0)", 0));
            dashed[drawn.length] = true;
        }
        JFreeChart chart = Charts.lines("p_t (the probability of the right answer)", "focal loss per unit alpha_t",
                data, dashed);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setRange(0, 3);
        double pt = Report.EASY_PT;
        double last = drawn[drawn.length - 1];
        String caption = "The focal loss (1 - p_t)^gamma (-log p_t) per unit alpha_t (alpha for positives, 1 - alpha"
                + " for negatives) against p_t for " + (drawn.length == Arrays.stream(gammas).distinct().count() ? "each swept gamma" : drawn.length + " of the swept gammas, evenly spread")
                + ": at p_t = " + Numbers.format(pt) + " a well-classified element adds "
                + Numbers.format(focal(pt, drawn[0])) + " at gamma " + Numbers.format(drawn[0])
                + (drawn.length > 1 ? " and " + Numbers.format(focal(pt, last)) + " at gamma " + Numbers.format(last) : "")
                + ", against BCE's " + Numbers.format(focal(pt, 0)) + ".";
        return new Figure("focal-curve", "The focal loss against p_t for the swept gammas", caption, chart, "");
    }

    private static double focal(double pt, double gamma) {
        return Math.pow(1 - pt, gamma) * -Math.log(pt);
    }

    private static XYSeries curve(String name, double gamma) {
        XYSeries s = new XYSeries(name);
        for (int i = 1; i <= 200; i++) {
            s.add(i / 200.0, focal(i / 200.0, gamma));
        }
        return s;
    }

    /** One pair's cell: its colour, its value written in when the text fits, and a tooltip naming the pair. */
    private static final class Cell extends AbstractXYAnnotation {
        private static final long serialVersionUID = 1L;
        private final int row;
        private final int column;
        private final String title;
        private final String text;
        private final Color fill;
        private final boolean darkFill;
        /** The rule between cells: the page's background. */
        private final Color rule;

        Cell(int row, int column, Sweep sweep, Scale scale, Color rule) {
            this.row = row;
            this.rule = rule;
            this.column = column;
            Number v = sweep.grid()[row][column];
            text = text(v);
            title = "gamma " + Numbers.format(sweep.gammas()[row]) + ", alpha " + Numbers.format(sweep.alphas()[column])
                    + ": " + sweep.metric() + " " + text;
            boolean finite = v != null && Double.isFinite(v.doubleValue());
            fill = v == null ? UNDEFINED : finite ? Heatmap.colour(scale.position(v.doubleValue())) : Heatmap.NON_FINITE;
            // Viridis is dark below the middle: white text there, black above.
            darkFill = finite && scale.position(v.doubleValue()) < 0.55;
        }

        @Override
        public void draw(Graphics2D g2, XYPlot plot, Rectangle2D dataArea, ValueAxis domainAxis, ValueAxis rangeAxis,
                         int rendererIndex, PlotRenderingInfo info) {
            RectangleEdge xEdge = Plot.resolveDomainAxisLocation(plot.getDomainAxisLocation(), plot.getOrientation());
            RectangleEdge yEdge = Plot.resolveRangeAxisLocation(plot.getRangeAxisLocation(), plot.getOrientation());
            double x0 = domainAxis.valueToJava2D(column - 0.5, dataArea, xEdge);
            double x1 = domainAxis.valueToJava2D(column + 0.5, dataArea, xEdge);
            double y0 = rangeAxis.valueToJava2D(row - 0.5, dataArea, yEdge);
            double y1 = rangeAxis.valueToJava2D(row + 0.5, dataArea, yEdge);
            Rectangle2D box = new Rectangle2D.Double(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0),
                    Math.abs(y1 - y0));
            Tooltip.around(g2, title, () -> {
                g2.setPaint(fill);
                g2.fill(box);
                // A rule of the background between cells, where cells are wide enough to leave colour beside it.
                if (box.getWidth() >= MIN_RULED && box.getHeight() >= MIN_RULED) {
                    g2.setPaint(rule);
                    g2.draw(box);
                }
                g2.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                FontMetrics fm = g2.getFontMetrics();
                int w = fm.stringWidth(text);
                if (w + 4 <= box.getWidth() && fm.getHeight() <= box.getHeight()) {
                    g2.setPaint(darkFill ? Color.WHITE : Color.BLACK);
                    g2.drawString(text, (float) (box.getCenterX() - w / 2.0),
                            (float) (box.getCenterY() + fm.getAscent() / 2.0 - 1));
                }
            });
        }
    }
}
