package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.stats.Numbers;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of many dumps (the trend) and of a sweep (docs/commands.md#the-report): the values
 * drawn, read back from the page's SVG (each point and cell carries its value in a title, each
 * cell also as its text), equal the --table rows of the same run, which ManyDumpsTest and
 * SweepTest hold to torch's figures; here they are also checked against torch directly
 * (tools/oracle/dumps_oracle.py, tools/oracle/sweep_oracle.py) to the seven digits written.
 */
class TrendAndSweepReportTest {
    private static final Pattern FIGURE = Pattern.compile(
            "<figure id=\"([a-z-]+)\"[^>]*>.*?<figcaption>(.*?)</figcaption>(.*?)</figure>", Pattern.DOTALL);
    /** A point or cell with its title, and what is drawn inside the group. */
    private static final Pattern ITEM = Pattern.compile("<g class='item'><title>([^<]*)</title>(.*?)</g>",
            Pattern.DOTALL);

    @TempDir
    Path tmp;

    /** The page's figures by id: caption and body. */
    private static Map<String, String[]> figures(Path html) throws Exception {
        Map<String, String[]> figures = new LinkedHashMap<>();
        Matcher m = FIGURE.matcher(Files.readString(html));
        while (m.find()) {
            figures.put(m.group(1), new String[] {m.group(2), m.group(3)});
        }
        return figures;
    }

    /** Each titled item of a figure's SVG: its title's text before the value, then the value, then its body. */
    private static Map<String, String[]> items(String body) {
        Map<String, String[]> items = new LinkedHashMap<>();
        Matcher m = ITEM.matcher(body);
        while (m.find()) {
            String title = m.group(1);
            int space = title.lastIndexOf(' ');
            String[] before = items.put(title.substring(0, space), new String[] {title.substring(space + 1), m.group(2)});
            assertEquals(null, before, "one item per key: " + title);
        }
        return items;
    }

    /**
     * The sweep's drawing for light mode or for a dark screen: its colours are data, so the page
     * holds one of each (docs/commands.md#the-report) rather than inverting one in dark mode.
     */
    private static String drawing(String body, String mode) {
        Matcher m = Pattern.compile("<svg class=\"" + mode + "\" .*?</svg>", Pattern.DOTALL).matcher(body);
        assertTrue(m.find(), "no " + mode + " drawing");
        return m.group();
    }

    /** A value as drawn against torch's: seven significant digits, or a percentage's two decimals. */
    private static void assertDrawn(String what, double torch, String drawn) {
        if (drawn.endsWith("%")) {
            assertEquals(torch * 100, Double.parseDouble(drawn.substring(0, drawn.length() - 1)), 0.005 + 1e-9, what);
        } else {
            assertEquals(torch, Double.parseDouble(drawn), Math.abs(torch) * 5e-7, what);
        }
    }

    private void assertPlots(Path dir, String... ids) throws Exception {
        List<String> want = new ArrayList<>();
        for (String id : ids) {
            want.add(id + ".png");
            want.add(id + ".svg");
            BufferedImage png = ImageIO.read(dir.resolve(id + ".png").toFile());
            assertTrue(png.getWidth() > 100 && png.getHeight() > 100, id + ".png");
            assertEquals("svg", ReportTest.parse(Files.readAllBytes(dir.resolve(id + ".svg"))).getDocumentElement()
                    .getLocalName());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(want.stream().sorted().toList(), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the drawn figures only, no temporary file left");
        }
    }

    @Test
    void trendPointsAreTheTableRowsAndFailedDumpsAreMarked() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Path html = tmp.resolve("runs.html");
        Path plots = tmp.resolve("plots");
        Path broken = ManyDumpsTest.DUMPS.resolve("broken.npz");
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.toString(), broken.toString(), "--table", csv.toString(),
                "--report", html.toString(), "--plots", plots.toString(), "--quiet");
        assertEquals(3, r.code, "the broken dump's exit code, after every output: " + r);
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        JsonNode torch = ManyDumpsTest.JSON.readTree(ManyDumpsTest.DUMPS.resolve("expected.json").toFile())
                .get("dumps");
        Map<String, String[]> f = figures(html);
        assertEquals(List.of("summary", "trend"), List.copyOf(f.keySet()), "no single evaluation's figures");

        // The dumps' common folder is named once; the rows name the files in it.
        String folder = ManyDumpsTest.DUMPS + "/";
        assertTrue(f.get("summary")[1].contains("<tr><th>folder</th><td>" + folder + " "), "the folder row");
        Map<String, String[]> points = items(f.get("trend")[1]);
        int drawn = 0;
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            String dump = "dump " + (i + 1) + ", " + row.get("file") + ": ";
            // The summary's table: a row per dump in file order, the failed one with its error.
            assertTrue(f.get("summary")[1].contains("<tr><td>" + (i + 1) + "</td><td class=\"file\">"
                    + row.get("file").substring(folder.length()) + "</td>"), dump);
            if (!row.get("error").isEmpty()) {
                assertTrue(f.get("summary")[1].contains("<td colspan=\"8\" class=\"error\">" + row.get("error")
                        + "</td>"), row.get("error"));
                assertTrue(points.keySet().stream().noneMatch(k -> k.startsWith(dump)), "a failed dump has no point");
                continue;
            }
            double perBatch = Double.parseDouble(row.get("loss.per_batch"));
            String[] loss = points.get(dump + "loss.per_batch");
            if (!Double.isFinite(perBatch)) {
                assertEquals(null, loss, "a non-finite loss is a gap, not a point");
            } else {
                assertEquals(Numbers.format(perBatch), loss[0], dump + " loss");
                assertDrawn(dump + " loss", torch.get(i).get("figures").get("loss.per_batch").asDouble(), loss[0]);
                drawn++;
            }
            String share = row.get("positive.share");
            String[] positive = points.get(dump + "positive: share of the loss");
            if (share.equals("NaN")) {
                assertEquals(null, positive, dump + " undefined share");
            } else {
                assertEquals(Numbers.percent(Double.parseDouble(share)), positive[0], dump + " positive share");
                assertDrawn(dump + " share", torch.get(i).get("figures").get("positive.share").asDouble(), positive[0]);
            }
            double anchors = Double.parseDouble(row.get("anchors.total"));
            assertEquals(Numbers.percent(Double.parseDouble(row.get("anchors.negative")) / anchors),
                    points.get(dump + "negative: share of the anchors")[0], dump + " negative anchors");
        }
        assertEquals(drawn, points.keySet().stream().filter(k -> k.endsWith("loss.per_batch")).count());
        // iter_2's NaN loss and the broken dump: lines labelled with what stopped them.
        assertTrue(f.get("trend")[1].contains(">nan</text>") && f.get("trend")[1].contains(">failed</text>"));
        assertTrue(f.get("trend")[0].contains("largest at dump 1 (" + Numbers.format(
                Double.parseDouble(rows.get(0).get("loss.per_batch"))) + ")"), f.get("trend")[0]);
        assertTrue(f.get("trend")[0].contains("the red lines mark 1 dump that failed and the purple ones 1 dump of"
                + " non-finite loss"), f.get("trend")[0]);
        assertPlots(plots, "trend");
    }

    @Test
    void sweepCellsHoldTheTablesValuesOnLabelledAxes() throws Exception {
        JsonNode torch = ManyDumpsTest.JSON.readTree(SweepTest.EXPECTED.toFile()).get("dumps").get(0);
        Path bundle = ManyDumpsTest.RUN.resolve(torch.get("file").asText());
        Path csv = tmp.resolve("sweep.csv");
        Path html = tmp.resolve("sweep.html");
        Path plots = tmp.resolve("plots");
        Cli r = Cli.run("eval", bundle.toString(), "--gamma", SweepTest.GAMMAS, "--alpha", SweepTest.ALPHAS,
                "--table", csv.toString(), "--report", html.toString(), "--plots", plots.toString(), "--quiet");
        assertEquals(0, r.code, r.toString());
        Map<String, String[]> f = figures(html);
        assertEquals(List.of("summary", "sweep", "focal-curve"), List.copyOf(f.keySet()));

        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        Map<String, String[]> cells = items(drawing(f.get("sweep")[1], "light"));
        Map<String, String[]> dark = items(drawing(f.get("sweep")[1], "dark"));
        assertEquals(15, rows.size());
        assertEquals(15, cells.size());
        assertEquals(cells.keySet(), dark.keySet());
        for (int p = 0; p < rows.size(); p++) {
            Map<String, String> row = rows.get(p);
            String pair = "gamma " + Numbers.format(Double.parseDouble(row.get("gamma"))) + ", alpha "
                    + Numbers.format(Double.parseDouble(row.get("alpha"))) + ": loss.per_batch";
            String[] cell = cells.get(pair);
            assertEquals(Numbers.format(Double.parseDouble(row.get("loss.per_batch"))), cell[0], pair);
            assertEquals(cell[0], dark.get(pair)[0], "the dark drawing's cell: " + pair);
            assertTrue(cell[1].contains(">" + cell[0] + "</text>"), "the value written in the cell: " + pair);
            assertDrawn(pair, torch.get("pairs").get(p).get("figures").get("loss.per_batch").asDouble(), cell[0]);
        }
        // The axes ticked with the swept values (the rotated names, gamma and the metric's, are drawn as outlines).
        String svg = drawing(f.get("sweep")[1], "light");
        for (String label : List.of(">alpha<", ">0.25<", ">0.75<", ">0.5<", ">3<")) {
            assertTrue(svg.contains(label), label);
        }
        String curves = f.get("focal-curve")[0];
        assertTrue(curves.contains("at p_t = 0.9 a well-classified element adds " + Numbers.format(-Math.log(0.9))
                + " at gamma 0 and " + Numbers.format(Math.pow(0.1, 3) * -Math.log(0.9)) + " at gamma 3"), curves);
        for (String gamma : List.of("gamma 0", "gamma 0.5", "gamma 1", "gamma 2", "gamma 3")) {
            assertTrue(f.get("focal-curve")[1].contains(">" + gamma + "<"), "a curve per swept gamma: " + gamma);
        }
        assertPlots(plots, "sweep", "focal-curve");
    }

    @Test
    void aCountMetricIsWrittenWholeAndNanCellsAreRed() throws Exception {
        Path html = tmp.resolve("r.html");
        Path csv = tmp.resolve("t.csv");
        String bundle = ManyDumpsTest.RUN.resolve("iter_2.npz").toString();
        Cli nan = Cli.run("eval", bundle, "--gamma", "1,2", "--table", csv.toString(), "--report", html.toString(),
                "--quiet");
        assertEquals(0, nan.code, nan.toString());
        Map<String, String[]> cells = items(drawing(figures(html).get("sweep")[1], "light"));
        String[] cell = cells.get("gamma 1, alpha 0.25: loss.per_batch");
        assertEquals("NaN", ManyDumpsTest.readCsv(csv).get(0).get("loss.per_batch"));
        assertEquals("nan", cell[0]);
        assertTrue(cell[1].contains("fill:rgb(228,26,28)"), "NaN in the non-finite red: " + cell[1]);
        assertTrue(figures(html).get("sweep")[0].contains("(no cell is finite)"));

        Cli count = Cli.run("eval", bundle, "--gamma", "1,2", "--alpha", "0.25,0.5", "--sweep-metric",
                "anchors.positive", "--table", csv.toString(), "--report", html.toString(), "--quiet");
        assertEquals(0, count.code, count.toString());
        String positives = ManyDumpsTest.readCsv(csv).get(3).get("anchors.positive");
        assertEquals(positives, items(drawing(figures(html).get("sweep")[1], "light")).get("gamma 2, alpha 0.5: anchors.positive")[0]);
        assertTrue(figures(html).get("summary")[1].contains("<th>anchors.positive</th>"), "the metric's column");
    }

    @Test
    void aSingleEvaluationHasNeitherTrendNorSweep() throws Exception {
        Path html = tmp.resolve("one.html");
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_1.npz").toString(), "--report", html.toString(),
                "--quiet");
        assertEquals(0, r.code, r.toString());
        Map<String, String[]> f = figures(html);
        assertFalse(f.containsKey("trend") || f.containsKey("sweep"), f.keySet().toString());
        assertTrue(f.containsKey("loss-share"));
    }

    @Test
    void aSweepOverManyDumpsAndHeatmapOptionsAreRefusedNamingTheAlternative() {
        Path html = tmp.resolve("r.html");
        Cli both = Cli.run("eval", ManyDumpsTest.RUN.toString(), "--gamma", "1,2", "--table",
                tmp.resolve("t.csv").toString(), "--report", html.toString());
        assertEquals(2, both.code, both.toString());
        assertEquals("focal: --report draws either the trend across many dumps or the sweep of one bundle, not both:"
                + " give one --gamma and --alpha for the trend, or one BUNDLE for its sweep\n", both.err);
        String[][] heatmaps = {
            {ManyDumpsTest.RUN.toString(), "--grid", "5,5", "many dumps"},
            {ManyDumpsTest.RUN.resolve("iter_1.npz").toString(), "--report-samples", "2", "a sweep"},
        };
        for (String[] h : heatmaps) {
            Cli r = Cli.run("eval", h[0], h[1], h[2], "--gamma", h[3].equals("a sweep") ? "1,2" : "2", "--report",
                    html.toString());
            assertEquals(2, r.code, r.toString());
            assertTrue(r.err.startsWith("focal: " + h[1] + " shapes the report's BEV heatmaps, which the report of "
                    + h[3] + " does not draw"), r.err);
        }
        assertFalse(Files.exists(html), "nothing written");
    }

    /**
     * A heatmap loss's trend draws the head's number (loss.head) and the peak, near and
     * background elements' shares, as its table names them: each point against the table's row
     * and the heatmap oracle's figures (tools/oracle/heatmap_oracle.py).
     */
    @Test
    void aHeatmapLossesTrendDrawsTheHeadsNumberAndItsElementKinds() throws Exception {
        JsonNode want = ManyDumpsTest.JSON.readTree(HeatmapDumpsTest.DIR.resolve("dumps_expected.json").toFile());
        Path csv = tmp.resolve("heat.csv");
        Path html = tmp.resolve("heat.html");
        List<String> args = new java.util.ArrayList<>(List.of("eval"));
        args.addAll(HeadModesTest.args(want));
        args.addAll(List.of(HeatmapDumpsTest.DIR.resolve("dumps").toString(), "--table", csv.toString(), "--report",
                html.toString(), "--quiet"));
        Cli r = HeadModesTest.run(args);
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        Map<String, String[]> f = figures(html);
        Map<String, String[]> points = items(f.get("trend")[1]);
        assertEquals(want.get("dumps").size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            JsonNode oracle = want.get("dumps").get(i).get("figures");
            String dump = "dump " + (i + 1) + ", " + row.get("file") + ": ";
            String[] head = points.get(dump + "loss.head");
            assertEquals(Numbers.format(Double.parseDouble(row.get("loss.head"))), head[0], dump + " head");
            assertDrawn(dump + " head", oracle.get("loss.head").asDouble(), head[0]);
            double total = oracle.get("elements.peak").asDouble() + oracle.get("elements.near").asDouble()
                    + oracle.get("elements.background").asDouble();
            for (String kind : new String[] {"peak", "near", "background"}) {
                assertDrawn(dump + kind + " loss share", oracle.get(kind + ".loss_sum").asDouble()
                        / oracle.get("loss.sum").asDouble(), points.get(dump + kind + ": share of the loss")[0]);
                assertEquals(Numbers.percent(oracle.get("elements." + kind).asDouble() / total),
                        points.get(dump + kind + ": share of the elements")[0], dump + kind + " elements");
            }
        }
        assertTrue(points.keySet().stream().noneMatch(k -> k.contains("positive") || k.contains("per_batch")),
                "no anchor words in a heatmap's trend");
        assertTrue(f.get("trend")[0].startsWith("The head's loss (loss.head, above)")
                && f.get("trend")[0].contains("the peak, near and background elements' shares of the loss"),
                f.get("trend")[0]);
        assertTrue(f.get("summary")[1].contains("<th>head</th><th>peak</th><th>near</th><th>background</th>"
                + "<th>peak share</th><th>near share</th><th>background share</th>"), f.get("summary")[1]);
    }
}
