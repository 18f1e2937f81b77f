package dev.focal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;

/**
 * {@link Report#drawInTwo} relies on the charting library's shared state (the theme, the fonts,
 * the number formats, Java2D's loops and the PNG writer) being safe to use from two threads at
 * once. Drawn two at a time, again and again, every kind of figure the report holds must come
 * out exactly as it does drawn alone, one after the other.
 */
class DrawInTwoTest {
    private static final int ROUNDS = 12;

    /** A fresh set of figures: bars, a log-axis histogram, dashed lines on a log range, and images. */
    private static List<Figure> figures() {
        List<Figure> figures = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            double[][] v = {{0.1 * (f + 1), 0.25, 0.65}, {0.7, 0.2, 0.1 + 0.01 * f}};
            figures.add(new Figure("bars" + f, "bars", "bars", Charts.bars("share", List.of("anchors", "loss"),
                    List.of("positive", "negative", "ignored"), v, true), null));
            XYIntervalSeriesCollection h = new XYIntervalSeriesCollection();
            for (int s = 0; s < 3; s++) {
                XYIntervalSeries series = new XYIntervalSeries("kind " + s);
                for (int bin = 0; bin < 40; bin++) {
                    double lo = Math.pow(2, -30 + bin * 0.5);
                    double count = (bin * 7919 + s * 104729 + f) % 1000;
                    series.add(lo, lo, lo * Math.sqrt(2), count, count, count);
                }
                h.addSeries(series);
            }
            figures.add(new Figure("hist" + f, "hist", "hist", Charts.histogram("loss", "anchors", h, true), null));
            XYSeriesCollection lines = new XYSeriesCollection();
            for (int s = 0; s < 3; s++) {
                XYSeries series = new XYSeries("gamma " + s);
                for (int i = 1; i < 200; i++) {
                    double p = i / 200.0;
                    series.add(p, -Math.pow(1 - p, s + f) * Math.log(p));
                }
                lines.addSeries(series);
            }
            var curve = Charts.lines("p_t", "loss", lines, new boolean[] {false, true, false});
            Charts.logRange(curve, "loss", 1e-6, 10);
            figures.add(new Figure("lines" + f, "lines", "lines", curve, null));
            figures.add(new Figure("image" + f, "image", "image", gradient(f, 0), gradient(f, 255), null));
        }
        return figures;
    }

    private static BufferedImage gradient(int f, int invert) {
        BufferedImage image = new BufferedImage(Heatmap.DENSITY * 60, Heatmap.DENSITY * 40,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int c = Math.abs(invert - (x * 255 / image.getWidth() + y + f) % 256);
                image.setRGB(x, y, c << 16 | (255 - c) << 8 | (c * 7 & 255));
            }
        }
        return image;
    }

    @Test
    void figuresDrawnTwoAtATimeEqualFiguresDrawnOneByOne() {
        List<String> alone = new ArrayList<>();
        for (Figure f : figures()) {
            alone.add(f.inline());
        }
        assertTrue(alone.stream().allMatch(s -> s.length() > 1000), "every figure draws something");
        for (int round = 0; round < ROUNDS; round++) {
            List<Figure> figures = figures();
            Report.drawInTwo(figures, Figure::inline);
            for (int i = 0; i < figures.size(); i++) {
                assertEquals(alone.get(i), figures.get(i).inline(),
                        "round " + round + ": " + figures.get(i).id() + " drawn beside another differs");
            }
        }
    }
}
