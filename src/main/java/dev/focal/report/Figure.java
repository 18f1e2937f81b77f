package dev.focal.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
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
    /** A heatmap drawn as pixels, at {@link Heatmap}'s density; null for a chart or a table. */
    private final BufferedImage image;
    private final String tableHtml;
    /** {@link #inline}'s element once drawn: the page may have it drawn ahead, on another thread. */
    private volatile String inline;

    Figure(String id, String title, String caption, JFreeChart chart, String tableHtml) {
        this(id, title, caption, chart, null, tableHtml);
    }

    /** A figure of an image (a heatmap), which the page shows as a PNG. */
    Figure(String id, String title, String caption, BufferedImage image) {
        this(id, title, caption, null, image, "");
    }

    private Figure(String id, String title, String caption, JFreeChart chart, BufferedImage image,
                   String tableHtml) {
        this.id = id;
        this.title = title;
        this.caption = caption;
        this.chart = chart;
        this.image = image;
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
        return chart != null || image != null;
    }

    /** Whether the figure is an image of pixels (a heatmap) rather than a chart of lines and shapes. */
    boolean pixels() {
        return image != null;
    }

    /** The figure as a standalone SVG document; a heatmap's pixels in it as a PNG. */
    public Optional<String> svg() {
        if (image != null) {
            return Optional.of("<?xml version=\"1.0\"?>\n" + imageSvg());
        }
        return drawn() ? Optional.of(graphics().getSVGDocument()) : Optional.empty();
    }

    /** The figure as PNG bytes, at twice the CSS size for sharp slides. */
    public Optional<byte[]> png() {
        if (image != null) {
            return Optional.of(pngBytes(image));
        }
        if (!drawn()) {
            return Optional.empty();
        }
        return Optional.of(pngBytes(chart.createBufferedImage(2 * WIDTH, 2 * HEIGHT, WIDTH, HEIGHT, null)));
    }

    /** An svg element that holds the heatmap's PNG, at its CSS size. */
    private String imageSvg() {
        int w = image.getWidth() / Heatmap.DENSITY;
        int h = image.getHeight() / Heatmap.DENSITY;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 "
                + w + " " + h + "\"><image width=\"" + w + "\" height=\"" + h + "\" href=\"" + dataUri() + "\"/></svg>";
    }

    private String dataUri() {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(pngBytes(image));
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

    /**
     * The figure's element for the page: a chart as an svg element, its definitions' ids prefixed
     * with the figure's; a heatmap as an img of a data: PNG.
     */
    String inline() {
        String drawn = inline;
        if (drawn == null) {
            drawn = image != null ? "<img src=\"" + dataUri() + "\" width=\"" + image.getWidth() / Heatmap.DENSITY
                    + "\" alt=\"" + Page.escape(title) + "\">" : graphics().getSVGElement(id + "-svg");
            inline = drawn;
        }
        return drawn;
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
