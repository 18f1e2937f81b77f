package dev.focal.cli;

import static dev.focal.cli.ReportTest.assertClose;
import static dev.focal.cli.ReportTest.edge;
import static dev.focal.cli.ReportTest.lowerMedian;
import static dev.focal.cli.ReportTest.numbers;
import static dev.focal.cli.ReportTest.round2;
import static dev.focal.cli.ReportTest.share;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval --report with a heatmap loss (--loss centernet|gaussian): the figures in the heatmap's
 * words (peaks, near and background elements), their captions' numbers against
 * tools/oracle/report_oracle.py (numpy's bins and cell sums of the exact per-element loss, which
 * the oracle checks against OpenPCDet's own loss functions) and heatmap_oracle.py's logged
 * numbers, or closed forms; and the non-finite map of both losses.
 */
class HeatmapReportTest {
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Path HEATMAP = Path.of("src/test/resources/heatmap");

    @TempDir
    Path dir;

    private static JsonNode fixture(String name) throws IOException {
        return JSON.readTree(Path.of("src/test/resources/report", "heatmap_" + name + ".json").toFile());
    }

    /** The eval arguments of a heatmap case: its inputs and the fixture's options. */
    private static List<String> args(String name, JsonNode want) {
        Path d = name.equals("nonfinite") ? Path.of("src/test/resources/report/heatmap_nonfinite") : HEATMAP.resolve(name);
        List<String> a = new ArrayList<>(List.of("--logits", d.resolve("logits.npy").toString(), "--targets",
                d.resolve("targets.npy").toString()));
        want.get("args").forEach(x -> a.add(x.asText()));
        return a;
    }

    private Map<String, String[]> report(String name, JsonNode want, String... more) throws IOException {
        List<String> a = args(name, want);
        a.addAll(List.of(more));
        return ReportTest.report(dir, !name.equals("nonfinite"), a.toArray(String[]::new));
    }

    private static JsonNode logged(String name) throws IOException {
        for (JsonNode c : JSON.readTree(HEATMAP.resolve("index.json").toFile()).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void centerHeadFiguresCarryTheOraclesNumbers() throws IOException {
        JsonNode want = fixture("centerhead_cls1");
        Map<String, String[]> f = report("centerhead_cls1", want);
        assertEquals(List.of("summary", "loss-share", "loss-histogram", "focal-curve", "per-class", "per-sample",
                "bev-loss", "bev-positives", "top"), List.copyOf(f.keySet()));

        String summary = f.get("summary")[0];
        assertTrue(summary.startsWith("The centernet heatmap loss of (2, 8, 10, 3) float32 elements"), summary);
        List<Double> s = numbers(summary);
        assertEquals(List.of(2.0, 4.0), s.subList(0, 2), "alpha, gamma");
        assertClose(want.get("sum").asDouble(), s.get(2), "sum");
        assertEquals(4.0, s.get(3), "peaks");
        assertClose(logged("centerhead_cls1").get("exact_head").asDouble(), s.get(4), "the head's number");
        assertTrue(f.get("summary")[1].contains("<th>elements</th>") && f.get("summary")[1].contains("<td>peak</td>"),
                f.get("summary")[1]);

        JsonNode n = want.get("elements");
        double elements = n.get("peak").asDouble() + n.get("near").asDouble() + n.get("background").asDouble();
        List<Double> share = numbers(f.get("loss-share")[0]);
        assertTrue(f.get("loss-share")[0].startsWith("Peaks are "), f.get("loss-share")[0]);
        List<Double> expected = new ArrayList<>();
        for (String k : new String[] {"peak", "near", "background"}) {
            expected.add(round2(n.get(k).asDouble() / elements));
            expected.add(round2(want.at("/loss_sum/" + k).asDouble() / want.get("sum").asDouble()));
        }
        assertEquals(expected.size(), share.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), share.get(i), 1e-12, "share " + i);
        }

        List<Double> medians = numbers(f.get("loss-histogram")[0].replaceAll("\\[|\\)", " "));
        String[] order = {"peak", "background", "near"};
        for (int k = 0; k < order.length; k++) {
            int median = lowerMedian(want.at("/loss/" + order[k]));
            assertClose(edge(median), medians.get(2 * k), order[k] + " median's bin");
            assertClose(edge(median + 1), medians.get(2 * k + 1), order[k] + " median's bin end");
        }
        assertTrue(f.get("loss-histogram")[0].contains(") for peaks and in [")
                && f.get("loss-histogram")[0].contains(") for near elements;"), f.get("loss-histogram")[0]);

        String curve = f.get("focal-curve")[0];
        List<Double> c = numbers(curve);
        // -log(p) (1 - p)^2 at p = 0.9; -log(1 - p) p^2 at p = 0.1; that times (1 - 0.5)^4.
        assertEquals(List.of(0.9, 0.1, 0.5), List.of(c.get(0), c.get(2), c.get(4)));
        assertClose(-Math.log(0.9) * 0.01, c.get(1), "peak term");
        assertClose(-Math.log(0.9) * 0.01, c.get(3), "background term");
        assertClose(-Math.log(0.9) * 0.01 * 0.0625, c.get(5), "near term");
        // x < -2 is bins below (-2 + 16) * 4 = 56; x < 0 below 64.
        assertEquals(round2(share(want.at("/logit/background"), 0, 56)), c.get(6), 1e-12);
        assertClose(1 / (1 + Math.exp(2)), c.get(7), "sigmoid(-2)");
        assertEquals(round2(share(want.at("/logit/peak"), 0, 64)), c.get(9), 1e-12);

        JsonNode classLoss = want.get("class_loss");
        int largest = 0;
        for (int k = 0; k < classLoss.size(); k++) {
            largest = classLoss.get(k).asDouble() > classLoss.get(largest).asDouble() ? k : largest;
        }
        String perClass = f.get("per-class")[0];
        assertTrue(perClass.startsWith("class " + largest + " carries") && perClass.endsWith(" peaks."), perClass);
        List<Double> pc = numbers(perClass);
        assertClose(classLoss.get(largest).asDouble(), pc.get(2), "class loss");
        assertEquals(List.of(logged("centerhead_cls1").at("/peaks_per_class/" + largest).asDouble(), 4.0),
                pc.subList(3, 5));

        JsonNode cells = want.at("/cells/loss");
        int perSample = 8 * 10;
        double[] sampleLoss = new double[2];
        for (int i = 0; i < cells.size(); i++) {
            sampleLoss[i / perSample] += cells.get(i).asDouble();
        }
        int big = sampleLoss[1] > sampleLoss[0] ? 1 : 0;
        List<Double> ps = numbers(f.get("per-sample")[0]);
        assertEquals(big, ps.get(0).intValue());
        assertClose(sampleLoss[big], ps.get(2), "sample loss");
        assertEquals(2.0, ps.get(3), "the sample's peaks");
        assertTrue(f.get("per-sample")[1].contains("<th>peaks</th><th>near</th><th>background</th>"));
    }

    /** The BEV of a (B, C, H, W) heatmap read with --class-axis 1: H x W cells of the classes' elements. */
    @Test
    void bevOfTheHeatmapsGrid() throws IOException {
        JsonNode want = fixture("centerhead_cls1");
        Map<String, String[]> f = report("centerhead_cls1", want, "--top", "3");
        int width = 10;
        JsonNode cells = want.at("/cells/loss");
        int largest = 0;
        double far = 0;
        double all = 0;
        for (int i = 0; i < cells.size(); i++) {
            double v = cells.get(i).asDouble();
            all += v;
            far += i % width >= 5 ? v : 0;
            largest = v > cells.get(largest).asDouble() ? i : largest;
        }
        String loss = f.get("bev-loss")[0];
        assertTrue(loss.contains("summed over its 3 classes"), loss);
        Matcher m = Pattern.compile("the largest, ([^,]+), is in sample (\\d+) at cell \\(h, w\\) = \\((\\d+), (\\d+)\\),"
                + " and the far half of the grid \\(w >= 5\\) carries ([0-9.]+)%").matcher(loss);
        assertTrue(m.find(), loss);
        assertClose(cells.get(largest).asDouble(), Double.parseDouble(m.group(1)), "largest cell");
        assertEquals(List.of(largest / 80, largest % 80 / width, largest % width),
                List.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
        assertEquals(round2(far / all), Double.parseDouble(m.group(5)) / 100, 1e-12);

        long peaks = 0;
        long withPeaks = 0;
        long most = 0;
        for (JsonNode p : want.at("/cells/peaks")) {
            peaks += p.asLong();
            withPeaks += p.asLong() > 0 ? 1 : 0;
            most = Math.max(most, p.asLong());
        }
        String positives = f.get("bev-positives")[0];
        assertTrue(positives.startsWith("The " + peaks + " peaks (elements of gt = 1) of samples 0 to 1 sit in "
                + withPeaks + " cells, at most " + most + " of the 3 elements of a cell;"), positives);
        assertTrue(f.get("bev-positives")[1].contains("alt=\"Peaks on the BEV grid\""));

        // Each listed element's cell is its (h, w); a heatmap has no weights to list.
        String top = f.get("top")[1];
        assertTrue(top.contains("<th>cell (h, w)</th>") && top.contains("<th>gt</th>") && !top.contains("weight"), top);
        Matcher row = Pattern.compile("<tr><td>\\[(\\d+), (\\d+), (\\d+), (\\d+)\\]</td><td>\\((\\d+), (\\d+)\\)</td>")
                .matcher(top);
        int rows = 0;
        while (row.find()) {
            assertEquals(row.group(2) + "," + row.group(3), row.group(5) + "," + row.group(6));
            rows++;
        }
        assertEquals(3, rows);
    }

    @Test
    void gridOfAHeatmapIsItsOwn() throws IOException {
        JsonNode want = fixture("centerhead_cls1");
        assertTrue(report("centerhead_cls1", want, "--grid", "8,10").containsKey("bev-loss"));
        List<String> a = new ArrayList<>(List.of("eval"));
        a.addAll(args("centerhead_cls1", want));
        a.addAll(List.of("--grid", "10,8", "--report", dir.resolve("r.html").toString()));
        Cli r = Cli.run(a.toArray(String[]::new));
        assertEquals(2, r.code, r::toString);
        assertEquals("focal: --grid 10,8 disagrees with the logits' own grid 8,10 (shape (2, 8, 10, 3) with the"
                + " classes last)\n", r.err);
    }

    @Test
    void gaussianLossNamesItsWeightAndHeadNumber() throws IOException {
        JsonNode want = fixture("transfusion_hm0_5");
        Map<String, String[]> f = report("transfusion_hm0_5", want);
        String summary = f.get("summary")[0];
        assertTrue(summary.startsWith("The gaussian heatmap loss of (2, 9, 9, 2) float32 elements"), summary);
        List<Double> s = numbers(summary);
        assertClose(want.get("sum").asDouble(), s.get(2), "sum, times the loss weight");
        assertEquals(3.0, s.get(3), "peaks");
        assertClose(logged("transfusion_hm0_5").get("exact_head").asDouble(), s.get(4), "the head's number");
        assertTrue(f.get("summary")[1].contains("(loss weight 0.5)"), f.get("summary")[1]);
        assertTrue(f.containsKey("bev-loss") && f.get("bev-loss")[0].contains("summed over its 2 classes"));
    }

    /** NaN and inf of a heatmap loss by element kind, and the map of them per cell. */
    @Test
    void heatmapNonFiniteMap() throws IOException {
        JsonNode want = fixture("nonfinite");
        Map<String, String[]> f = report("nonfinite", want);
        String caption = f.get("nonfinite")[0];
        JsonNode n = want.get("nonfinite");
        long total = n.get("nan").asLong() + n.get("inf").asLong();
        assertTrue(caption.startsWith(total + " loss values are non-finite (" + n.get("nan").asLong() + " NaN, "
                + n.get("inf").asLong() + " infinite; " + n.at("/by_kind/peak").asLong() + " in peaks, "
                + n.at("/by_kind/near").asLong() + " in near elements, " + n.at("/by_kind/background").asLong()
                + " in background elements) and " + n.get("logits").asLong() + " logits are;"), caption);
        assertMap(caption, want.at("/cells/nonfinite"), 6 * 7, 7);
        assertTrue(f.get("nonfinite")[1].contains("<img class=\"dark\"") && f.get("nonfinite")[1].contains("<td>peak</td>"));
    }

    /** The sigmoid focal loss's non-finite map, on eval/nonfinite read as --grid 5,2. */
    @Test
    void anchorNonFiniteMap() throws IOException {
        JsonNode want = JSON.readTree(Path.of("src/test/resources/report/bev_nonfinite.json").toFile());
        Path c = Path.of("src/test/resources/eval/nonfinite");
        Map<String, String[]> f = ReportTest.report(dir, true, "--logits", c.resolve("logits.npy").toString(),
                "--targets", c.resolve("targets.npy").toString(), "--weights", c.resolve("weights.npy").toString(),
                "--grid", "5,2");
        assertMap(f.get("nonfinite")[0], want.get("nonfinite"), 10, 2);
        assertTrue(f.get("nonfinite")[0].contains("in positive anchors, "), f.get("nonfinite")[0]);
    }

    /** The map's part of the caption against the cells' counts (sample by sample, row-major (h, w)). */
    private static void assertMap(String caption, JsonNode cells, int perSample, int width) {
        long drawn = 0;
        long withSome = 0;
        int most = 0;
        for (int i = 0; i < cells.size(); i++) {
            drawn += cells.get(i).asLong();
            withSome += cells.get(i).asLong() > 0 ? 1 : 0;
            most = cells.get(i).asInt() > cells.get(most).asInt() ? i : most;
        }
        Matcher m = Pattern.compile("the map counts them per cell of samples 0 to 1: (\\d+) in (\\d+) cells, at most"
                + " (\\d+) in sample (\\d+) at cell \\(h, w\\) = \\((\\d+), (\\d+)\\);").matcher(caption);
        assertTrue(m.find(), caption);
        assertEquals(List.of(drawn, withSome, cells.get(most).asLong(), (long) most / perSample,
                (long) most % perSample / width, (long) most % width), List.of(Long.parseLong(m.group(1)),
                Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
    }

    /**
     * --plots writes the heatmaps and the non-finite map; the page holds each heatmap twice, the
     * dark drawing (on the page's dark background) for a dark screen only, not for print.
     */
    @Test
    void heatmapPlotsAndDarkDrawings() throws Exception {
        JsonNode want = fixture("nonfinite");
        Path plots = dir.resolve("plots");
        List<String> a = new ArrayList<>(List.of("eval"));
        a.addAll(args("nonfinite", want));
        a.addAll(List.of("--plots", plots.toString(), "--report", dir.resolve("r.html").toString(), "--quiet"));
        Cli r = Cli.run(a.toArray(String[]::new));
        assertEquals(0, r.code, r::toString);
        try (var files = Files.list(plots)) {
            assertEquals(List.of("bev-loss", "bev-positives", "focal-curve", "loss-histogram", "loss-share",
                    "nonfinite", "per-class", "per-sample"), files.map(p -> p.getFileName().toString())
                    .filter(p -> p.endsWith(".png")).map(p -> p.substring(0, p.length() - 4)).sorted().toList());
        }
        assertEquals("image", ReportTest.parse(Files.readAllBytes(plots.resolve("nonfinite.svg")))
                .getDocumentElement().getFirstChild().getLocalName());
        String page = Files.readString(dir.resolve("r.html"));
        assertTrue(page.contains("figure.heatmap .dark { display: none; }\n@media screen and (prefers-color-scheme:"
                + " dark) {"), "the dark drawings are shown on a dark screen only");
        Matcher m = Pattern.compile("<img class=\"light\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"[^>]*>"
                + "<img class=\"dark\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(page);
        int pictures = 0;
        while (m.find()) {
            BufferedImage light = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            BufferedImage dark = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            assertEquals(light.getWidth(), dark.getWidth());
            assertEquals(0xFFFFFF, light.getRGB(0, 0) & 0xFFFFFF, "light background");
            assertEquals(0x16181C, dark.getRGB(0, 0) & 0xFFFFFF, "the page's dark background");
            pictures++;
        }
        assertEquals(3, pictures, "bev-loss, bev-positives, nonfinite");
        assertFalse(page.contains("<img src=\"data:image/png;base64,\""), "no empty image");
    }
}
