package dev.focal.report;

import java.awt.Graphics2D;
import java.util.Map;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;

/**
 * A title around what is drawn next, in the SVG only (a PNG has nowhere to hold it): browsers
 * show it on hover, without a script, and it states the exact value a point or cell stands for.
 */
final class Tooltip {
    private Tooltip() {
    }

    static void around(Graphics2D g2, String title, Runnable draw) {
        // Java2D's own Graphics2D refuses the SVG hints' values.
        boolean svg = g2 instanceof SVGGraphics2D;
        if (svg) {
            g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, Map.of("class", "item"));
            g2.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, title);
        }
        draw.run();
        if (svg) {
            g2.setRenderingHint(SVGHints.KEY_END_GROUP, "item");
        }
    }
}
