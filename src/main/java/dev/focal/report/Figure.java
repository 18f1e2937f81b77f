package dev.focal.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
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
    /** The chart drawn for dark mode, when its colours are data (see {@link #twin}); else null. */
    private final JFreeChart darkChart;
    /** A heatmap drawn as pixels, at {@link Heatmap}'s density; null for a chart or a table. */
    private final BufferedImage image;
    /** The heatmap drawn for dark mode, which the page shows there; null with {@link #image}. */
    private final BufferedImage darkImage;
    private final String tableHtml;
    /** {@link #inline}'s element once drawn: the page may have it drawn ahead, on another thread. */
    private volatile String inline;

    Figure(String id, String title, String caption, JFreeChart chart, String tableHtml) {
        this(id, title, caption, chart, null, null, null, tableHtml);
    }

    /**
     * A chart whose colours are data (a colour scale), drawn for light mode and, as {@code dark},
     * for a dark screen, which the charts' dark-mode inversion would turn into another scale.
     */
    static Figure twin(String id, String title, String caption, JFreeChart light, JFreeChart dark, String tableHtml) {
        return new Figure(id, title, caption, light, dark, null, null, tableHtml);
    }

    /**
     * A figure of an image (a heatmap), which the page shows as a PNG: {@code image} in light
     * mode, in print and in the plots, {@code darkImage} in dark mode on screen.
     */
    Figure(String id, String title, String caption, BufferedImage image, BufferedImage darkImage, String tableHtml) {
        this(id, title, caption, null, null, image, darkImage, tableHtml);
    }

    private Figure(String id, String title, String caption, JFreeChart chart, JFreeChart darkChart,
                   BufferedImage image, BufferedImage darkImage, String tableHtml) {
        this.id = id;
        this.title = title;
        this.caption = caption;
        this.chart = chart;
        this.darkChart = darkChart;
        this.image = image;
        this.darkImage = darkImage;
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

    /** Whether the figure has a drawing of its own for dark mode (its colours are data), rather than the charts' inversion. */
    boolean darkDrawing() {
        return darkImage != null || darkChart != null;
    }

    /** The figure as a standalone SVG document; a heatmap's pixels in it as a PNG. */
    public Optional<String> svg() {
        if (image != null) {
            return Optional.of("<?xml version=\"1.0\"?>\n" + imageSvg());
        }
        return drawn() ? Optional.of(graphics(chart, id).getSVGDocument()) : Optional.empty();
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
                + w + " " + h + "\"><image width=\"" + w + "\" height=\"" + h + "\" href=\"" + dataUri(image)
                + "\"/></svg>";
    }

    private static String dataUri(BufferedImage image) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(pngBytes(image));
    }

    /**
     * The image as PNG bytes, encoded in memory. Not {@code ImageIO.write} to a stream: that
     * buffers through a temporary file (ImageIO's disk cache) and registers a shutdown hook to
     * delete it, which throws when the JVM is already exiting.
     */
    static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * The figure's element for the page: a chart as an svg element, its definitions' ids prefixed
     * with the figure's (a {@link #twin} as two, classed light and dark); a heatmap as two img
     * elements of data: PNGs. The page's style shows the dark drawing on a dark screen and the
     * light one elsewhere. Not a picture element: a
     * browser keeps the source it chose for the screen when it prints, so the dark drawing would
     * go to paper, where a style's media query is evaluated anew.
     */
    String inline() {
        String drawn = inline;
        if (drawn == null) {
            if (image != null) {
                String size = "\" width=\"" + image.getWidth() / Heatmap.DENSITY + "\" alt=\"" + Page.escape(title)
                        + "\">";
                drawn = "<img class=\"light\" src=\"" + dataUri(image) + size + "<img class=\"dark\" src=\""
                        + dataUri(darkImage) + size;
            } else if (darkChart != null) {
                drawn = svgElement(chart, id, "light") + svgElement(darkChart, id + "-dark", "dark");
            } else {
                drawn = graphics(chart, id).getSVGElement(id + "-svg");
            }
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

    /** {@code chart}'s svg element, of class {@code cls}, its ids prefixed with {@code prefix}. */
    private static String svgElement(JFreeChart chart, String prefix, String cls) {
        return graphics(chart, prefix).getSVGElement(prefix + "-svg").replaceFirst("^<svg ", "<svg class=\"" + cls + "\" ");
    }

    private static SVGGraphics2D graphics(JFreeChart chart, String prefix) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(prefix + "-");
        g.setGeomDoubleConverter(Figure::hundredths);
        g.setTransformDoubleConverter(Figure::hundredths);
        chart.draw(g, new java.awt.Rectangle(0, 0, WIDTH, HEIGHT));
        return g;
    }
}
