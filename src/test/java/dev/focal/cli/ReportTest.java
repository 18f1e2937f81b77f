package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * eval --report and --plots: the figures that apply are there, each with its caption; the
 * captions' numbers are torch's (the oracle's expected summary, tools/oracle/eval_oracle.py)
 * or closed forms; the SVG parses as XML, the PNG decodes and is not blank; the page fetches
 * nothing and runs no script.
 */
class ReportTest {
    private static final Path CASE = Path.of("src/test/resources/eval/anchor_head");
    private static final Pattern FIGURE = Pattern.compile(
            "<figure id=\"([a-z-]+)\"[^>]*>.*?<figcaption>(.*?)</figcaption>(.*?)</figure>", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])-?\\d+(?:\\.\\d+)?(?:e[+-]\\d+)?%?");

    @TempDir
    Path dir;

    private Map<String, String[]> report(String... args) throws IOException {
        Path html = dir.resolve("report.html");
        List<String> all = new ArrayList<>(List.of("eval"));
        all.addAll(List.of(args));
        all.addAll(List.of("--report", html.toString(), "--quiet"));
        Cli r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.code, r::toString);
        assertEquals("", r.err, r::toString);
        String page = Files.readString(html);
        Map<String, String[]> figures = new LinkedHashMap<>();
        Matcher m = FIGURE.matcher(page);
        while (m.find()) {
            figures.put(m.group(1), new String[] {m.group(2), m.group(3)});
        }
        return figures;
    }

    private static String[] caseArgs(Path c) {
        return new String[] {"--logits", c.resolve("logits.npy").toString(), "--targets",
            c.resolve("targets.npy").toString(), "--weights", c.resolve("weights.npy").toString()};
    }

    /** The caption's numbers, in order ("97.18%" as 0.9718). */
    private static List<Double> numbers(String caption) {
        List<Double> found = new ArrayList<>();
        Matcher m = NUMBER.matcher(caption.replaceAll("\\(\\d+(, \\d+)*\\)|\\[[\\d, ]*\\]", ""));
        while (m.find()) {
            String s = m.group();
            found.add(s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100 : Double.parseDouble(s));
        }
        return found;
    }

    /** Seven significant digits, as the table prints; percentages to their two decimals. */
    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.max(Math.abs(expected) * 1e-6, 0), what);
    }

    @Test
    void captionsCarryTorchsFigures() throws IOException {
        JsonNode want = new ObjectMapper().readTree(CASE.resolve("expected.json").toFile());
        List<String> args = new ArrayList<>(List.of(caseArgs(CASE)));
        args.addAll(List.of("--top", "3"));
        Map<String, String[]> f = report(args.toArray(String[]::new));
        assertEquals(List.of("summary", "loss-share", "loss-histogram", "focal-curve", "per-class", "top"),
                List.copyOf(f.keySet()));

        List<Double> summary = numbers(f.get("summary")[0]);
        // (2, 50, 3) is dropped as a shape; then gamma, alpha, the sum and the per-sample loss.
        assertEquals(2.0, summary.get(0));
        assertEquals(0.25, summary.get(1));
        assertClose(want.at("/loss/sum").asDouble(), summary.get(2), "sum");
        assertClose(want.at("/loss/per_batch").asDouble(), summary.get(3), "per sample");

        List<Double> share = numbers(f.get("loss-share")[0]);
        double anchors = want.at("/anchors/total").asDouble();
        double[] expected = {want.at("/anchors/positive").asDouble() / anchors, want.at("/positive/share").asDouble(),
            want.at("/anchors/negative").asDouble() / anchors, want.at("/negative/share").asDouble()};
        assertEquals(expected.length, share.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(round2(expected[i]), share.get(i), 1e-12, "share " + i);
        }

        // Class 1 carries the most loss in the oracle's figures.
        JsonNode c1 = want.at("/per_class/1");
        List<Double> perClass = numbers(f.get("per-class")[0]);
        assertTrue(f.get("per-class")[0].startsWith("class 1 carries"), f.get("per-class")[0]);
        assertEquals(round2(c1.get("loss_sum").asDouble() / want.at("/loss/sum").asDouble()), perClass.get(1), 1e-12);
        assertClose(c1.get("loss_sum").asDouble(), perClass.get(2), "class loss");
        assertEquals(List.of(c1.get("positives").asDouble(), 4.0), perClass.subList(3, 5));

        String top = f.get("top")[0];
        JsonNode first = want.at("/top/0");
        assertTrue(top.contains("at [0, 36, 1] (class 1,"), top);
        List<Double> topNumbers = numbers(top);
        assertEquals(3.0, topNumbers.get(0));
        assertClose(first.get("loss").asDouble(), topNumbers.get(1), "top loss");
        // then the class's name (class 1), the logit and the target
        assertClose(first.get("logit").asDouble(), topNumbers.get(3), "top logit");
        assertEquals(first.get("target").asDouble(), topNumbers.get(4));
        assertEquals(3, count(f.get("top")[1], "<tr><td>["), "rows of the top table");
    }

    /** The histograms' captions against numpy's bins (tools/oracle/report_oracle.py). */
    @Test
    void histogramCaptionsCarryNumpysBins() throws IOException {
        JsonNode bins = new ObjectMapper().readTree(Path.of("src/test/resources/report/anchor_head_histograms.json")
                .toFile());
        Map<String, String[]> f = report(caseArgs(CASE));
        List<Double> medians = numbers(f.get("loss-histogram")[0].replaceAll("\\[|\\)", " "));
        int neg = lowerMedian(bins.at("/loss/negative"));
        int pos = lowerMedian(bins.at("/loss/positive"));
        // half-octave edges: 2^e and 1.5 * 2^e, bin 2 * (e + 60) + half
        assertClose(edge(neg), medians.get(0), "negative median's bin");
        assertClose(edge(neg + 1), medians.get(1), "negative median's bin end");
        assertClose(edge(pos), medians.get(2), "positive median's bin");
        assertClose(edge(pos + 1), medians.get(3), "positive median's bin end");
        assertEquals(bins.at("/zero_loss/ignored").asDouble(), medians.get(4));

        List<Double> curve = numbers(f.get("focal-curve")[0]);
        // x_t >= 2 is bin (2 + 16) * 4 = 72 on; p_t < 0.5, x_t < 0, bins below 64
        assertEquals(round2(share(bins.at("/logit/negative"), 72, 128)), curve.get(5), 1e-12);
        assertClose(1 / (1 + Math.exp(-2)), curve.get(6), "sigmoid(2)");
        assertEquals(round2(share(bins.at("/logit/positive"), 0, 64)), curve.get(8), 1e-12);
    }

    private static double edge(int bin) {
        return (bin % 2 == 0 ? 1.0 : 1.5) * Math.pow(2, bin / 2 - 60);
    }

    private static int lowerMedian(JsonNode counts) {
        long total = 0;
        for (JsonNode n : counts) {
            total += n.asLong();
        }
        long seen = 0;
        for (int b = 0; ; b++) {
            seen += counts.get(b).asLong();
            if (seen >= (total + 1) / 2) {
                return b;
            }
        }
    }

    private static double share(JsonNode counts, int from, int to) {
        double part = 0;
        double total = 0;
        for (int b = 0; b < counts.size(); b++) {
            total += counts.get(b).asDouble();
            part += b >= from && b < to ? counts.get(b).asDouble() : 0;
        }
        return part / total;
    }

    private static double round2(double fraction) {
        return Math.round(fraction * 10000) / 10000.0;
    }

    private static int count(String s, String what) {
        return s.split(Pattern.quote(what), -1).length - 1;
    }

    @Test
    void focalCurveCaptionIsTheClosedForm() throws IOException {
        List<String> args = new ArrayList<>(List.of(caseArgs(CASE)));
        args.addAll(List.of("--gamma", "1.5", "--alpha", "0.4"));
        List<Double> n = numbers(report(args.toArray(String[]::new)).get("focal-curve")[0]);
        // alpha_t (1 - p_t)^gamma at p_t = 0.9, and -log(0.9), each to seven digits.
        assertEquals(List.of(0.9, 1.0), n.subList(0, 2));
        assertClose(0.4 * Math.pow(0.1, 1.5), n.get(2), "positive factor");
        assertClose(0.6 * Math.pow(0.1, 1.5), n.get(3), "negative factor");
        assertClose(-Math.log(0.9), n.get(4), "BCE");
    }

    @Test
    void nonFiniteFigureOnlyWhenThereAreSome() throws IOException {
        Path c = Path.of("src/test/resources/eval/nonfinite");
        JsonNode want = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(c.resolve("expected.json").toFile()).get("nonfinite");
        Map<String, String[]> f = report(caseArgs(c));
        List<Double> n = numbers(f.get("nonfinite")[0]);
        assertEquals(want.get("loss").asDouble(), n.get(0));
        assertEquals(List.of(want.get("in_positive").asDouble(), want.get("in_negative").asDouble(),
                want.get("in_ignored").asDouble(), want.get("logits").asDouble()), n.subList(3, 7));
        assertFalse(report(caseArgs(CASE)).containsKey("nonfinite"));
    }

    @Test
    void perSampleInLabelsModeWithTheSummarysNormalizers() throws IOException {
        Path json = dir.resolve("s.json");
        Map<String, String[]> f = report("samples/anchor_head_labels.npz", "--num-classes", "3", "--stats",
                json.toString());
        JsonNode samples = new ObjectMapper().readTree(json.toFile()).get("per_sample");
        int largest = 0;
        for (int b = 0; b < samples.size(); b++) {
            if (samples.get(b).get("loss_sum").asDouble() > samples.get(largest).get("loss_sum").asDouble()) {
                largest = b;
            }
        }
        JsonNode s = samples.get(largest);
        List<Double> n = numbers(f.get("per-sample")[0]);
        assertEquals(largest, n.get(0).intValue());
        assertClose(s.get("loss_sum").asDouble(), n.get(2), "sample loss");
        assertEquals(s.get("positives").asDouble(), n.get(3));
        assertClose(s.get("normalizer").asDouble(), n.get(4), "normalizer");
    }

    @Test
    void pageIsSelfContainedAndItsSvgWellFormed() throws Exception {
        report(caseArgs(CASE));
        String page = Files.readString(dir.resolve("report.html"));
        assertFalse(page.toLowerCase().contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)=\"(?!data:|#)").matcher(page).find(), "nothing fetched");
        assertFalse(page.contains("@import") || page.contains("url(http"), "no style fetched");
        assertTrue(page.contains("prefers-color-scheme: dark") && page.contains("size: A4"));
        Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(page);
        Set<String> ids = new HashSet<>();
        int n = 0;
        while (svg.find()) {
            Document d = parse(svg.group().getBytes(StandardCharsets.UTF_8));
            assertEquals("svg", d.getDocumentElement().getLocalName());
            // Two inline charts must not share a definition's id (a clip path would draw in the wrong one).
            Matcher id = Pattern.compile(" id=\"([^\"]+)\"").matcher(svg.group());
            while (id.find()) {
                assertTrue(ids.add(id.group(1)), "id " + id.group(1) + " used twice");
            }
            n++;
        }
        assertEquals(4, n, "loss-share, loss-histogram, focal-curve, per-class");
    }

    @Test
    void plotsAreEachChartAsSvgAndPng() throws Exception {
        Path plots = dir.resolve("plots");
        Cli r = Cli.run(concat(caseArgs(CASE), "--plots", plots.toString(), "--quiet"));
        assertEquals(0, r.code, r::toString);
        try (var files = Files.list(plots)) {
            assertEquals(List.of("focal-curve.png", "focal-curve.svg", "loss-histogram.png", "loss-histogram.svg",
                    "loss-share.png", "loss-share.svg", "per-class.png", "per-class.svg"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String id : List.of("focal-curve", "loss-histogram", "loss-share", "per-class")) {
            Document d = parse(Files.readAllBytes(plots.resolve(id + ".svg")));
            assertEquals("svg", d.getDocumentElement().getLocalName());
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(plots.resolve(id + ".png"))));
            assertEquals(1440, png.getWidth());
            assertEquals(760, png.getHeight());
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < png.getHeight(); y += 7) {
                for (int x = 0; x < png.getWidth(); x += 7) {
                    colours.add(png.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 10, id + ".png looks blank: " + colours.size() + " colours");
        }
    }

    @Test
    void reportLeavesTheTableAsItWas() {
        Cli plain = Cli.run(concat(caseArgs(CASE)));
        Cli withReport = Cli.run(concat(caseArgs(CASE), "--report", dir.resolve("r.html").toString()));
        assertEquals(plain.out, withReport.out, "the report's 20 top elements stay out of the table");
    }

    @Test
    void plotsNamingAFileIsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        Cli r = Cli.run(concat(caseArgs(CASE), "--plots", file.toString()));
        assertEquals(2, r.code, r::toString);
        assertEquals("focal: " + file + ": is not a directory, expected one for --plots\n", r.err);
    }

    /** The head case whose raw (2, 8, 6, 18) output gives the grid: 8 x 6 cells of 6 anchors. */
    private static final Path HEAD = Path.of("src/test/resources/head/anchor_c3");

    private static String[] headArgs(String... more) {
        List<String> all = new ArrayList<>(List.of("--logits", HEAD.resolve("cls_preds.npy").toString(), "--labels",
                HEAD.resolve("labels.npy").toString(), "--num-classes", "3", "--loss-weight", "2.0"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The BEV captions against numpy's per-cell sums of torch's loss (tools/oracle/report_oracle.py). */
    @Test
    void bevCaptionsCarryNumpysCellSums() throws IOException {
        JsonNode want = new ObjectMapper().readTree(Path.of("src/test/resources/report/bev_anchor_c3.json").toFile());
        Map<String, String[]> f = report(headArgs("--top", "2"));
        assertEquals(List.of("summary", "loss-share", "loss-histogram", "focal-curve", "per-class", "per-sample",
                "bev-loss", "bev-positives", "top"), List.copyOf(f.keySet()));
        int width = 6;
        int largest = 0;
        double far = 0;
        double all = 0;
        for (int i = 0; i < want.get("loss").size(); i++) {
            double v = want.get("loss").get(i).asDouble();
            all += v;
            far += i % width >= 3 ? v : 0;
            largest = v > want.get("loss").get(largest).asDouble() ? i : largest;
        }
        String loss = f.get("bev-loss")[0];
        Matcher m = Pattern.compile("the largest, ([^,]+), is in sample (\\d+) at cell \\(h, w\\) = \\((\\d+), (\\d+)\\),"
                + " and the far half of the grid \\(w >= 3\\) carries ([0-9.]+)%").matcher(loss);
        assertTrue(m.find(), loss);
        assertClose(want.get("loss").get(largest).asDouble(), Double.parseDouble(m.group(1)), "largest cell");
        assertEquals(List.of(largest / 48, largest % 48 / width, largest % width),
                List.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
        assertEquals(round2(far / all), Double.parseDouble(m.group(5)) / 100, 1e-12);
        assertTrue(loss.contains("x (forward, the W axis of 6 cells) points up and y (left, the H axis of 8 cells)"
                + " to the left"), loss);

        long positives = 0;
        long cells = 0;
        long most = 0;
        for (JsonNode n : want.get("positives")) {
            positives += n.asLong();
            cells += n.asLong() > 0 ? 1 : 0;
            most = Math.max(most, n.asLong());
        }
        List<Double> n = numbers(f.get("bev-positives")[0]);
        assertEquals(List.of((double) positives, 0.0, 1.0, (double) cells, (double) most, 6.0), n.subList(0, 6));
        // The top table places each element on the grid: cell (h, w) and anchor k of its anchor index a.
        Matcher row = Pattern.compile("<tr><td>\\[(\\d+), (\\d+), (\\d+)\\]</td><td>\\((\\d+), (\\d+)\\), (\\d+)</td>")
                .matcher(f.get("top")[1]);
        assertTrue(row.find(), f.get("top")[1]);
        int a = Integer.parseInt(row.group(2));
        assertEquals(List.of(a / 6 / width, a / 6 % width, a % 6), List.of(Integer.parseInt(row.group(4)),
                Integer.parseInt(row.group(5)), Integer.parseInt(row.group(6))));
    }

    @Test
    void bevOfTheFirstSamplesOnly() throws IOException {
        String caption = report(headArgs("--report-samples", "1")).get("bev-positives")[0];
        assertTrue(caption.contains(" of sample 0 sit in "), caption);
    }

    @Test
    void gridOptionForFlatAnchors() throws IOException {
        Map<String, String[]> f = report(concatArgs(caseArgs(CASE), "--grid", "5,5"));
        assertTrue(f.containsKey("bev-loss") && f.containsKey("bev-positives"), f.keySet()::toString);
        assertTrue(f.get("bev-loss")[0].contains("summed over its 2 anchors"), f.get("bev-loss")[0]);
        assertFalse(report(caseArgs(CASE)).containsKey("bev-loss"), "no grid, no heatmap");
    }

    @Test
    void gridsThatDoNotFitAreUsageErrors() {
        String html = dir.resolve("r.html").toString();
        for (String[] bad : new String[][] {{"--grid", "7,7"}, {"--grid", "0,5"}, {"--grid", "5"},
            {"--grid", "a,b"}, {"--grid", "2000,2000"}, {"--report-samples", "0"}}) {
            Cli r = Cli.run(concat(caseArgs(CASE), concatArgs(bad, "--report", html)));
            assertEquals(2, r.code, r::toString);
            assertTrue(r.err.startsWith("focal: --") && r.err.indexOf('\n') == r.err.length() - 1, r.err);
        }
        Cli r = Cli.run(concat(headArgs("--grid", "6,8", "--report", html)));
        assertEquals(2, r.code, r::toString);
        assertEquals("focal: --grid 6,8 disagrees with the logits' own grid 8,6 (shape (2, 8, 6, 18))\n", r.err);
        for (String[] alone : new String[][] {{"--grid", "5,5"}, {"--report-samples", "2"}}) {
            Cli without = Cli.run(concat(caseArgs(CASE), alone));
            assertEquals(2, without.code, without::toString);
            assertEquals("focal: " + alone[0] + " shapes the report's BEV heatmaps; give --report FILE or --plots DIR"
                    + " with it\n", without.err);
        }
    }

    @Test
    void heatmapsAsPngAndSvg() throws Exception {
        Path plots = dir.resolve("plots");
        Cli r = Cli.run(concat(headArgs("--plots", plots.toString(), "--quiet")));
        assertEquals(0, r.code, r::toString);
        for (String id : List.of("bev-loss", "bev-positives")) {
            Document d = parse(Files.readAllBytes(plots.resolve(id + ".svg")));
            assertEquals("image", d.getDocumentElement().getFirstChild().getLocalName());
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(plots.resolve(id + ".png"))));
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < png.getHeight(); y += 3) {
                for (int x = 0; x < png.getWidth(); x += 3) {
                    colours.add(png.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 10, id + ".png looks blank: " + colours.size() + " colours");
        }
    }

    private static String[] concatArgs(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of("eval"));
        all.addAll(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // JFreeSVG's documents name SVG 1.1's DTD: a test must not fetch it.
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }
}
