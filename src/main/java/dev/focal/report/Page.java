package dev.focal.report;

import dev.focal.stats.EvalSummary;
import dev.focal.stats.Numbers;
import java.util.List;

/**
 * The report's HTML page: figures in order, inline SVG, system fonts, no script. Dark mode
 * inverts the charts (their hues turned back), which keeps one drawing for both modes; a
 * heatmap's colours are data (the BEV grids' and the sweep's), so it has a dark drawing of its
 * own instead (see {@link Heatmap.Theme}). Print keeps each figure on one A4 page.
 */
final class Page {
    private static final String STYLE = String.join("\n",
            ":root { color-scheme: light dark; --fg: #1a1a1a; --bg: #ffffff; --muted: #5a5a5a; --rule: #d0d0d0; }",
            "figure.heatmap .dark { display: none; }",
            // Screen only: paper is white, and a dark page's light text would not show on it.
            "@media screen and (prefers-color-scheme: dark) {",
            "  :root { --fg: #e6e6e6; --bg: #16181c; --muted: #a8a8a8; --rule: #3a3d44; }",
            "  figure.chart svg { filter: invert(0.92) hue-rotate(180deg); }",
            "  figure.heatmap .light { display: none; }",
            "  figure.heatmap .dark { display: block; outline: 1px solid var(--rule); }",
            "}",
            "body { font-family: system-ui, sans-serif; color: var(--fg); background: var(--bg);"
                    + " max-width: 780px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }",
            "h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin: 0 0 .4em; }",
            "figure { margin: 0 0 2.2em; }",
            "figure svg, figure img { width: 100%; height: auto; display: block; }",
            "figure.heatmap img { border-radius: 4px; }",
            "figcaption { color: var(--muted); margin: .4em 0 .6em; }",
            "table { border-collapse: collapse; margin: .6em 0; font-variant-numeric: tabular-nums; }",
            "th, td { padding: .15em .7em; border-bottom: 1px solid var(--rule); text-align: left; }",
            "td.n { text-align: right; }",
            "table.dumps { font-size: .85em; } table.dumps th, table.dumps td { padding: .15em .4em; }",
            "td.error { color: #c0392b; }",
            "code { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }",
            ".warning { color: #b35900; }",
            "@page { size: A4; margin: 14mm; }",
            "@media print { body { max-width: none; margin: 0; } figure { break-inside: avoid; } }");

    private Page() {
    }

    /** The page's title for one evaluation: its loss sum. */
    static String title(EvalSummary summary) {
        return "focal loss report: " + Numbers.format(summary.loss().sum());
    }

    static String html(String title, List<Figure> figures) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n").append(STYLE).append("\n</style>\n</head>\n<body>\n")
                .append("<h1>Focal loss report</h1>\n");
        for (Figure f : figures) {
            h.append("<figure id=\"").append(f.id()).append("\"").append(f.darkDrawing() ? " class=\"heatmap\"" : f.drawn() ? " class=\"chart\"" : "")
                    .append(">\n<h2>").append(escape(f.title())).append("</h2>\n");
            h.append("<figcaption>").append(f.caption()).append("</figcaption>\n");
            if (f.drawn()) {
                h.append(f.inline()).append('\n');
            }
            h.append(f.tableHtml()).append("\n</figure>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
