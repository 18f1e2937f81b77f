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
    /** A heatmap drawn as pixels, at {@link Heatmap}'s density; null for a chart or a table. */
    private final BufferedImage image;
    /** The heatmap drawn for dark mode, which the page shows there; null with {@link #image}. */
    private final BufferedImage darkImage;
    private final String tableHtml;
    /** {@link #inline}'s element once drawn: the page may have it drawn ahead, on another thread. */
    private volatile String inline;

    Figure(String id, String title, String caption, JFreeChart chart, String tableHtml) {
        this(id, title, caption, chart, null, null, tableHtml);
    }

    /**
     * A figure of an image (a heatmap), which the page shows as a PNG: {@code image} in light
     * mode, in print and in the plots, {@code darkImage} in dark mode on screen.
     */
    Figure(String id, String title, String caption, BufferedImage image, BufferedImage darkImage, String tableHtml) {
        this(id, title, caption, null, image, darkImage, tableHtml);
    }

    private Figure(String id, String title, String caption, JFreeChart chart, BufferedImage image,
                   BufferedImage darkImage, String tableHtml) {
        this.id = id;
        this.title = title;
        this.caption = caption;
        this.chart = chart;
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
     * with the figure's; a heatmap as two img elements of data: PNGs, of which the page's style
     * shows the dark one on a dark screen and the light one elsewhere. Not a picture element: a
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
            } else {
                drawn = graphics().getSVGElement(id + "-svg");
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

    private SVGGraphics2D graphics() {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(id + "-");
        g.setGeomDoubleConverter(Figure::hundredths);
        g.setTransformDoubleConverter(Figure::hundredths);
        chart.draw(g, new java.awt.Rectangle(0, 0, WIDTH, HEIGHT));
        return g;
    }
}
