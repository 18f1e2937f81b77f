package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many dumps and sweeps with --loss centernet|gaussian (docs/commands.md#many-dumps,
 * docs/commands.md#sweeps), against tools/oracle/heatmap_oracle.py: each dump's logged number
 * from OpenPCDet's CenterHead.get_loss, each sweep pair's from torch (the real GaussianFocalLoss
 * with that alpha and gamma; neg_loss_cornernet's lines with its exponents made parameters), and
 * the exact (50-digit) loss sums by element kind.
 */
class HeatmapDumpsTest {
    static final Path DIR = HeatmapLossTest.DIR;

    @TempDir
    Path tmp;

    private static JsonNode read(String name) throws Exception {
        return ManyDumpsTest.JSON.readTree(DIR.resolve(name).toFile());
    }

    /** The log's float32 number within float32 rounding of a few hundred terms, the exact one within double's. */
    private static void assertHead(String what, JsonNode want, double head32, double got) {
        assertEquals(head32, got, HeatmapLossTest.LOGGED_RTOL * Math.abs(head32), what + " vs the log's number");
        ManyDumpsTest.assertFigure(what + " exact", want, Double.toString(got));
    }

    private static List<String> args(JsonNode doc, String... more) {
        List<String> a = new ArrayList<>(List.of("eval"));
        a.addAll(HeadModesTest.args(doc));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aFolderOfHeatmapBundlesHasARowPerDumpWithTheHeadsFiguresAndTheElementKinds() throws Exception {
        JsonNode want = read("dumps_expected.json");
        Path csv = tmp.resolve("runs.csv");
        Cli r = HeadModesTest.run(args(want, DIR.resolve("dumps").toString(), "--table", csv.toString()));
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        JsonNode dumps = want.get("dumps");
        assertEquals(dumps.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode d = dumps.get(i);
            Map<String, String> row = rows.get(i);
            assertEquals(DIR.resolve("dumps").resolve(d.get("file").asText()).toString(), row.get("file"),
                    "natural order");
            for (Map.Entry<String, JsonNode> f : d.get("figures").properties()) {
                ManyDumpsTest.assertFigure(d.get("file").asText() + " " + f.getKey(), f.getValue(), row.get(f.getKey()));
            }
            assertHead(d.get("file").asText(), d.get("figures").get("loss.head"), d.get("head32").asDouble(),
                    Double.parseDouble(row.get("loss.head")));
        }
        for (String anchorName : new String[] {"anchors.positive", "positive.share", "anchors.ignored"}) {
            assertFalse(rows.get(0).containsKey(anchorName), anchorName + " is an anchor column");
        }
        // The terminal's columns name the element kinds and the head's number.
        String header = r.out.lines().findFirst().orElseThrow();
        assertTrue(header.matches("file +loss sum +head +peak +near +background +peak share +nonfinite +error"), header);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("all (3 dumps)")), r.out);
    }

    @Test
    void theAggregateAddsTheKindsAndDividesTheSumByAllPeaks() throws Exception {
        JsonNode want = read("dumps_expected.json");
        Cli r = HeadModesTest.run(args(want, DIR.resolve("dumps").toString(), "--json"));
        assertEquals(0, r.code, r.toString());
        JsonNode got = ManyDumpsTest.JSON.readTree(r.out).get("aggregate");
        for (Map.Entry<String, JsonNode> f : want.get("aggregate").properties()) {
            String[] path = f.getKey().split("\\.");
            ManyDumpsTest.assertFigure("aggregate " + f.getKey(), f.getValue(), got.get(path[0]).get(path[1]).asText());
        }
        assertFalse(got.has("anchors"), got.toString());
    }

    @Test
    void everySweepPairHasTorchsHeadAndTheExactSums() throws Exception {
        for (JsonNode sweep : read("sweep_expected.json").get("sweeps")) {
            Path d = DIR.resolve(sweep.get("case").asText());
            Cli r = HeadModesTest.run(args(sweep, "--logits", d.resolve("logits.npy").toString(), "--targets",
                    d.resolve("targets.npy").toString(), "--gamma", "2:4:1", "--alpha", "1,1.5,2", "--json"));
            assertEquals(0, r.code, r.toString());
            JsonNode doc = ManyDumpsTest.JSON.readTree(r.out);
            assertEquals("loss.head", doc.get("metric").asText(), "a heatmap sweep's grid shows the log's number");
            JsonNode pairs = sweep.get("pairs");
            assertEquals(pairs.size(), doc.get("pairs").size());
            int columns = sweep.get("alphas").size();
            for (int p = 0; p < pairs.size(); p++) {
                JsonNode w = pairs.get(p);
                JsonNode got = doc.get("pairs").get(p);
                String what = sweep.get("case").asText() + " gamma " + w.get("gamma") + " alpha " + w.get("alpha");
                assertEquals(w.get("gamma").asDouble(), got.get("gamma").asDouble(), "gamma major");
                assertEquals(w.get("alpha").asDouble(), got.get("alpha").asDouble());
                JsonNode s = got.get("summary");
                for (Map.Entry<String, JsonNode> f : w.get("figures").properties()) {
                    String[] path = f.getKey().split("\\.");
                    ManyDumpsTest.assertFigure(what + " " + f.getKey(), f.getValue(), s.get(path[0]).get(path[1]).asText());
                }
                assertHead(what, w.get("figures").get("loss.head"), w.get("head32").asDouble(),
                        s.get("loss").get("head").asDouble());
                assertEquals(s.get("loss").get("head"), doc.get("grid").get(p / columns).get(p % columns));
            }
        }
    }

    @Test
    void aSweepOverHeatmapDumpsHasARowPerDumpAndPair() throws Exception {
        JsonNode want = read("dumps_expected.json");
        Path csv = tmp.resolve("sweep.csv");
        Cli r = HeadModesTest.run(args(want, DIR.resolve("dumps").toString(), "--gamma", "3,4", "--table",
                csv.toString(), "--quiet"));
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        assertEquals(6, rows.size());
        // The default pair (gamma 4, alpha 2) of each dump is the dumps' run above.
        for (int i = 0; i < 3; i++) {
            Map<String, String> row = rows.get(2 * i + 1);
            assertEquals("4.0", row.get("gamma"));
            JsonNode d = want.get("dumps").get(i);
            for (Map.Entry<String, JsonNode> f : d.get("figures").properties()) {
                ManyDumpsTest.assertFigure(d.get("file").asText() + " " + f.getKey(), f.getValue(), row.get(f.getKey()));
            }
        }
    }

    /** A heatmap summary's numeric fields are its --sweep-metric names; an anchor name is refused with them. */
    @Test
    void theMetricsAreTheHeatmapSummarysFields() throws Exception {
        JsonNode c = HeatmapLossTest.cases().get(0);
        Path d = DIR.resolve(c.get("name").asText());
        List<String> base = new ArrayList<>(List.of("eval", "--logits", d.resolve("logits.npy").toString(), "--targets",
                d.resolve("targets.npy").toString(), "--loss", "centernet", "--class-axis", "1", "--gamma", "3,4"));
        Cli r = HeadModesTest.run(withArgs(base, "--json"));
        assertEquals(0, r.code, r.toString());
        JsonNode summary = ManyDumpsTest.JSON.readTree(r.out).get("pairs").get(1).get("summary");
        List<String> numeric = new ArrayList<>();
        for (Map.Entry<String, JsonNode> top : summary.properties()) {
            if (top.getValue().isNumber()) {
                numeric.add(top.getKey());
            } else if (top.getValue().isObject()) {
                top.getValue().properties().forEach(leaf -> {
                    if (leaf.getValue().isNumber()) {
                        numeric.add(top.getKey() + "." + leaf.getKey());
                    }
                });
            }
        }
        assertEquals(List.copyOf(SweepGrid.HEATMAP_METRICS.keySet()), numeric,
                "the metrics are the summary's numeric fields, in its order");
        Cli peak = HeadModesTest.run(withArgs(base, "--sweep-metric", "peak.share", "--json"));
        assertEquals(summary.get("peak").get("share"), ManyDumpsTest.JSON.readTree(peak.out).get("grid").get(1).get(0));
        Cli anchor = HeadModesTest.run(withArgs(base, "--sweep-metric", "positive.share"));
        assertEquals(2, anchor.code, anchor.toString());
        RunOutcome.assertOneLine(anchor.err);
        assertTrue(anchor.err.contains("--sweep-metric positive.share is not a numeric field of the centernet summary;"
                + " one of gamma, alpha, loss_weight, loss.sum, loss.mean, loss.per_batch, loss.head, elements.total,"
                + " elements.peak"), anchor.err);
    }

    private static List<String> withArgs(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(List.of(more));
        return a;
    }
}
