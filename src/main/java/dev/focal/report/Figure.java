package dev.focal.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/**
 * One figure of the report: an id that other tools link to, a one-sentence caption, and a chart
 * (drawn as SVG and PNG) or a table, or both.
 */
public final class Figure {
    /** Chart size in CSS pixels: fits an A4 page's width at print scale. */
    static final int WIDTH = 720;
    static final int HEIGHT = 380;

    private final String id;
    private final String title;
    private final String caption;
    private final JFreeChart chart;
    private final String tableHtml;

    Figure(String id, String title, String caption, JFreeChart chart, String tableHtml) {
        this.id = id;
        this.title = title;
        this.caption = caption;
        this.chart = chart;
        this.tableHtml = tableHtml;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String caption() {
        return caption;
    }

    /** Whether the figure is drawn (and so has an SVG and a PNG), not a table alone. */
    public boolean drawn() {
        return chart != null;
    }

    /** The chart as a standalone SVG document. */
    public Optional<String> svg() {
        return drawn() ? Optional.of(graphics().getSVGDocument()) : Optional.empty();
    }

    /** The chart as PNG bytes, at twice the CSS size for sharp slides. */
    public Optional<byte[]> png() {
        if (!drawn()) {
            return Optional.empty();
        }
        BufferedImage image = chart.createBufferedImage(2 * WIDTH, 2 * HEIGHT, WIDTH, HEIGHT, null);
        return Optional.of(pngBytes(image));
    }

    static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The chart as an svg element for the page; its definitions' ids are prefixed with the figure's. */
    String inlineSvg() {
        return graphics().getSVGElement(id + "-svg");
    }

    /**
     * A coordinate to a hundredth of a pixel, which no screen or print shows, in place of the
     * library's 17 digits; without java.util.Formatter, whose output follows the locale.
     */
    static String hundredths(double v) {
        long r = Math.round(v * 100);
        long a = Math.abs(r);
        String frac = a % 100 == 0 ? "" : a % 10 == 0 ? "." + (a % 100) / 10 : (a % 100 < 10 ? ".0" : ".") + a % 100;
        return (r < 0 ? "-" : "") + a / 100 + frac;
    }

    String tableHtml() {
        return tableHtml;
    }

    private SVGGraphics2D graphics() {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(id + "-");
        g.setGeomDoubleConverter(Figure::hundredths);
        g.setTransformDoubleConverter(Figure::hundredths);
        chart.draw(g, new java.awt.Rectangle(0, 0, WIDTH, HEIGHT));
        return g;
    }
}
