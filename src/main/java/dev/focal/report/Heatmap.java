package dev.focal.report;

import dev.focal.stats.EvalSummary;
import dev.focal.stats.Grid;
import dev.focal.stats.Numbers;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The BEV heatmaps, drawn straight into an image (a chart library's per-item drawing costs
 * seconds on a 200 x 176 grid): one panel per sample on one colour scale, so that samples
 * compare, and the scale beside them. The panels face as OpenPCDet's BEV does: the W axis is x,
 * forward, drawn upwards from the bottom, and the H axis is y, to the left, so cell (h, w) is at
 * column H-1-h from the left and row W-1-w from the top.
 */
final class Heatmap {
    /** Viridis at nine stops: ordered in lightness, read in colour-blind vision and in grey print. */
    private static final int[] VIRIDIS = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779,
        0x6ece58, 0xfde725};
    /** Cells whose value is NaN or infinite. */
    static final Color NON_FINITE = new Color(0xE4, 0x1A, 0x1C);
    /** Decades the logarithmic scale spans below its largest value. */
    static final int DECADES = 3;
    /** Device pixels per CSS pixel: sharp on high-density screens and in print. */
    static final int DENSITY = 2;
    /** The longer side of a panel's plot area, CSS pixels. */
    private static final int PLOT = 330;
    private static final int LEFT = 52;
    private static final int TOP = 24;
    private static final int BOTTOM = 44;
    private static final int GAP = 14;
    private static final int BAR = 120;
    private static final int COLUMNS = 2;

    private Heatmap() {
    }

    /** A scale from values to colours: linear from 0, or logarithmic over {@link #DECADES} below the top. */
    record Scale(double top, boolean log) {
        double position(double v) {
            if (top <= 0) {
                return 0;
            }
            if (!log) {
                return Math.max(0, Math.min(1, v / top));
            }
            return v <= 0 ? 0 : Math.max(0, Math.min(1, 1 + Math.log10(v / top) / DECADES));
        }

        double valueAt(double position) {
            return log ? top * Math.pow(10, (position - 1) * DECADES) : top * position;
        }
    }

    static Color colour(double position) {
        double p = position * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) p);
        double f = p - i;
        Color a = new Color(VIRIDIS[i]);
        Color b = new Color(VIRIDIS[i + 1]);
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /** Reads one cell's value. */
    interface Cells {
        double at(int sample, int h, int w);
    }

    /**
     * The colours around the cells. Dark mode gets a drawing of its own rather than the charts'
     * inversion, which would turn viridis and the NaN red into other scales: the same cells on the
     * page's dark background, with light text.
     */
    enum Theme {
        LIGHT(Color.WHITE, Color.BLACK, Color.DARK_GRAY),
        DARK(new Color(0x16181C), new Color(0xE6E6E6), new Color(0xA8A8A8));

        final Color background;
        final Color text;
        final Color frame;

        Theme(Color background, Color text, Color frame) {
            this.background = background;
            this.text = text;
            this.frame = frame;
        }
    }

    /** A figure of the heatmap, drawn for light and for dark mode, with {@code tableHtml} below it. */
    static Figure figure(String id, String title, String caption, Grid g, Cells cells, Scale scale, String what,
                         String tableHtml) {
        return new Figure(id, title, caption, draw(g, cells, scale, what, Theme.LIGHT),
                draw(g, cells, scale, what, Theme.DARK), tableHtml);
    }

    /** The panels of every gathered sample and the colour bar, titled {@code what}. */
    static BufferedImage draw(Grid g, Cells cells, Scale scale, String what, Theme theme) {
        int plotW = g.height() >= g.width() ? PLOT : Math.max(1, PLOT * g.height() / g.width());
        int plotH = g.width() >= g.height() ? PLOT : Math.max(1, PLOT * g.width() / g.height());
        int panelW = LEFT + plotW + GAP;
        int panelH = TOP + plotH + BOTTOM;
        int columns = Math.min(COLUMNS, g.samples());
        int rows = (g.samples() + columns - 1) / columns;
        int width = columns * panelW + BAR;
        int height = rows * panelH;
        BufferedImage image = new BufferedImage(width * DENSITY, height * DENSITY, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = image.createGraphics();
        gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        gr.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        gr.scale(DENSITY, DENSITY);
        gr.setColor(theme.background);
        gr.fillRect(0, 0, width, height);
        gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        boolean anyNonFinite = false;
        for (int s = 0; s < g.samples(); s++) {
            int x0 = (s % columns) * panelW + LEFT;
            int y0 = (s / columns) * panelH + TOP;
            BufferedImage cellImage = new BufferedImage(g.height(), g.width(), BufferedImage.TYPE_INT_RGB);
            for (int h = 0; h < g.height(); h++) {
                for (int w = 0; w < g.width(); w++) {
                    double v = cells.at(s, h, w);
                    boolean finite = Double.isFinite(v);
                    anyNonFinite |= !finite;
                    Color c = finite ? colour(scale.position(v)) : NON_FINITE;
                    cellImage.setRGB(g.height() - 1 - h, g.width() - 1 - w, c.getRGB());
                }
            }
            gr.drawImage(cellImage, x0, y0, plotW, plotH, null);
            gr.setColor(theme.frame);
            gr.setStroke(new BasicStroke(1f));
            gr.drawRect(x0, y0, plotW, plotH);
            gr.setColor(theme.text);
            gr.drawString("sample " + s, x0, y0 - 7);
            axes(gr, g, x0, y0, plotW, plotH);
        }
        colourBar(gr, columns * panelW + 8, TOP, Math.min(PLOT, rows * panelH - TOP - BOTTOM), scale, what,
                anyNonFinite, theme);
        gr.dispose();
        return image;
    }

    /** Ticks in cells: h along the bottom, growing to the left; w up the left side, growing upwards. */
    private static void axes(Graphics2D gr, Grid g, int x0, int y0, int plotW, int plotH) {
        FontMetrics fm = gr.getFontMetrics();
        int stepH = step(g.height());
        for (int h = 0; h <= g.height(); h += stepH) {
            int x = x0 + (int) Math.round(plotW * (g.height() - h) / (double) g.height());
            gr.drawLine(x, y0 + plotH, x, y0 + plotH + 4);
            String label = String.valueOf(h);
            gr.drawString(label, x - fm.stringWidth(label) / 2, y0 + plotH + 15);
        }
        String hLabel = "h (y, to the left), cells";
        gr.drawString(hLabel, x0 + (plotW - fm.stringWidth(hLabel)) / 2, y0 + plotH + 31);
        int stepW = step(g.width());
        for (int w = 0; w <= g.width(); w += stepW) {
            int y = y0 + plotH - (int) Math.round(plotH * w / (double) g.width());
            gr.drawLine(x0 - 4, y, x0, y);
            String label = String.valueOf(w);
            gr.drawString(label, x0 - 6 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        AffineTransform saved = gr.getTransform();
        String wLabel = "w (x, forward), cells";
        gr.rotate(-Math.PI / 2);
        gr.drawString(wLabel, -(y0 + (plotH + fm.stringWidth(wLabel)) / 2), x0 - 32);
        gr.setTransform(saved);
    }

    /** A tick step of 1, 2 or 5 times a power of ten that gives at most 8 steps. */
    static int step(int cells) {
        for (int step = 1; ; step *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (cells <= 8L * m * step) {
                    return m * step;
                }
            }
        }
    }

    private static void colourBar(Graphics2D gr, int x0, int y0, int height, Scale scale, String what,
                                  boolean nonFinite, Theme theme) {
        int barW = 14;
        for (int y = 0; y < height; y++) {
            gr.setColor(colour(1 - y / (double) (height - 1)));
            gr.fillRect(x0, y0 + y, barW, 1);
        }
        gr.setColor(theme.frame);
        gr.drawRect(x0, y0, barW, height);
        gr.setColor(theme.text);
        FontMetrics fm = gr.getFontMetrics();
        // Counts get whole-number ticks.
        int ticks = scale.log() ? DECADES : (int) Math.max(1, Math.min(4, scale.top()));
        for (int i = 0; i <= ticks; i++) {
            double p = i / (double) ticks;
            int y = y0 + (int) Math.round((1 - p) * height);
            gr.drawLine(x0 + barW, y, x0 + barW + 3, y);
            gr.drawString(threeDigits(scale.valueAt(p)), x0 + barW + 5, y + fm.getAscent() / 2 - 1);
        }
        gr.drawString(what, x0, y0 - 7);
        if (nonFinite) {
            gr.setColor(NON_FINITE);
            gr.fillRect(x0, y0 + height + 10, barW, barW);
            gr.setColor(theme.text);
            gr.drawString("NaN, inf", x0 + barW + 5, y0 + height + 10 + barW - 2);
        }
    }

    /** A scale's label: three significant digits are all a colour tells apart. */
    static String threeDigits(double v) {
        return v == 0 ? "0" : Numbers.format(new BigDecimal(v).round(new MathContext(3)).doubleValue());
    }
}
