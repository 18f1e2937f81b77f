package dev.focal.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeriesCollection;
import dev.focal.stats.Histograms;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.PaintScaleLegend;

/** The report's charts, built with JFreeChart in one look: flat bars, a light grid, one palette. */
final class Charts {
    /** A palette that reads in colour-blind vision and, inverted, in dark mode (Okabe and Ito's). */
    static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xD55E00)};

    static {
        // Before any AWT class loads: a report is drawn off screen, on machines without a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(new Color(0xDDDDDD));
        theme.setRangeGridlinePaint(new Color(0xDDDDDD));
        theme.setBarPainter(new StandardBarPainter());
        theme.setShadowVisible(false);
        ChartFactory.setChartTheme(theme);
    }

    private Charts() {
    }

    /** Grouped bars: one group per category, one bar per series, values on one axis. */
    static JFreeChart bars(String valueAxis, List<String> series, List<String> categories, double[][] values,
                           boolean percent) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int s = 0; s < series.size(); s++) {
            for (int c = 0; c < categories.size(); c++) {
                data.addValue(values[s][c], series.get(s), categories.get(c));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(null, null, valueAxis, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setItemMargin(0.05);
        for (int s = 0; s < series.size(); s++) {
            r.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
        }
        if (percent) {
            NumberAxis axis = (NumberAxis) plot.getRangeAxis();
            axis.setNumberFormatOverride(java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT));
        }
        return chart;
    }

    /**
     * Bars over intervals of x (a histogram), each series translucent over the others; a
     * logarithmic x axis when {@code logX}.
     */
    static JFreeChart histogram(String xAxis, String yAxis, XYIntervalSeriesCollection data, boolean logX) {
        JFreeChart chart = ChartFactory.createXYBarChart(null, xAxis, false, yAxis, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        styleBars((XYBarRenderer) plot.getRenderer(), 0, data.getSeriesCount(), 150);
        if (logX) {
            LogAxis axis = new LogAxis(xAxis);
            axis.setBase(10);
            axis.setTickUnit(new NumberTickUnit(1));
            axis.setMinorTickMarksVisible(true);
            axis.setSmallestValue(Histograms.lossEdge(0));
            plot.setDomainAxis(axis);
        }
        return chart;
    }

    /** Puts the values of a chart of lines on a logarithmic axis from {@code lower} to {@code upper}: curves that span decades. */
    static void logRange(JFreeChart chart, String label, double lower, double upper) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setMinorTickMarksVisible(true);
        axis.setRange(lower, upper);
        chart.getXYPlot().setRangeAxis(0, axis);
    }

    /** Flat bars in the palette, from colour {@code first} on, for {@code count} series, {@code alpha} opaque. */
    static XYBarRenderer styleBars(XYBarRenderer r, int first, int count, int alpha) {
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        for (int s = 0; s < count; s++) {
            Color c = PALETTE[(first + s) % PALETTE.length];
            r.setSeriesPaint(s, new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha));
        }
        return r;
    }

    /** Lines through points; {@code dashed[s]} draws series s dashed. */
    static JFreeChart lines(String xAxis, String yAxis, XYSeriesCollection data, boolean[] dashed) {
        JFreeChart chart = ChartFactory.createXYLineChart(null, xAxis, yAxis, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        // One SVG path per series, not one line element per segment: a tenth of the bytes.
        r.setDrawSeriesLineAsPath(true);
        for (int s = 0; s < data.getSeriesCount(); s++) {
            r.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
            r.setSeriesStroke(s, dashed[s]
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
        }
        plot.setRenderer(r);
        return chart;
    }

    /**
     * Turns an XY chart in the report's look into the drawing for a dark screen: the theme's
     * background behind it and its colour scale, its text and rules light; the data keep their colours.
     */
    static JFreeChart dark(JFreeChart chart, Heatmap.Theme theme) {
        chart.setBackgroundPaint(theme.background);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(theme.background);
        plot.setOutlinePaint(theme.frame);
        for (int i = 0; i < plot.getDomainAxisCount(); i++) {
            lightText(plot.getDomainAxis(i), theme);
        }
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            lightText(plot.getRangeAxis(i), theme);
        }
        for (Object title : chart.getSubtitles()) {
            if (title instanceof PaintScaleLegend) {
                PaintScaleLegend legend = (PaintScaleLegend) title;
                legend.setBackgroundPaint(theme.background);
                legend.setStripOutlinePaint(theme.frame);
                lightText(legend.getAxis(), theme);
            }
        }
        return chart;
    }

    private static void lightText(Axis axis, Heatmap.Theme theme) {
        axis.setLabelPaint(theme.text);
        axis.setTickLabelPaint(theme.text);
        axis.setAxisLinePaint(theme.frame);
        axis.setTickMarkPaint(theme.frame);
    }

    /** A chart built from its parts, in the report's look (which a factory method gives its charts itself). */
    static JFreeChart themed(JFreeChart chart) {
        ChartFactory.getChartTheme().apply(chart);
        return chart;
    }
}
