package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gamma x alpha sweeps (docs/commands.md#sweeps), against the figures torch computed for every
 * pair (tools/oracle/sweep_oracle.py), and against runs of each pair alone.
 */
class SweepTest {
    static final Path EXPECTED = Path.of("src/test/resources/sweep/expected.json");
    static final String GAMMAS = "0,0.5,1,2,3";
    static final String ALPHAS = "0.25:0.75:0.25";

    @TempDir
    Path tmp;

    private static JsonNode expected() throws Exception {
        return ManyDumpsTest.JSON.readTree(EXPECTED.toFile());
    }

    private static JsonNode field(JsonNode summary, String dotted) {
        String[] path = dotted.split("\\.");
        return summary.get(path[0]).get(path[1]);
    }

    @Test
    void everyPairHasTorchsFiguresAndTheGridShowsTheMetric() throws Exception {
        JsonNode want = expected().get("dumps").get(0);
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.resolve(want.get("file").asText()).toString(), "--gamma", GAMMAS,
                "--alpha", ALPHAS, "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode doc = ManyDumpsTest.JSON.readTree(r.out);
        assertEquals("loss.per_batch", doc.get("metric").asText());
        assertEquals(expected().get("gammas"), doc.get("gamma"));
        assertEquals(expected().get("alphas"), doc.get("alpha"), "the range's end included");
        JsonNode pairs = doc.get("pairs");
        assertEquals(15, pairs.size());
        for (int p = 0; p < 15; p++) {
            JsonNode w = want.get("pairs").get(p);
            JsonNode got = pairs.get(p);
            assertEquals(w.get("gamma").asDouble(), got.get("gamma").asDouble(), "gamma major");
            assertEquals(w.get("alpha").asDouble(), got.get("alpha").asDouble());
            for (Map.Entry<String, JsonNode> f : w.get("figures").properties()) {
                ManyDumpsTest.assertFigure("pair " + p + " " + f.getKey(), f.getValue(),
                        field(got.get("summary"), f.getKey()).asText());
            }
            assertEquals(field(got.get("summary"), "loss.per_batch"), doc.get("grid").get(p / 3).get(p % 3),
                    "the grid holds each pair's figure, rows gamma and columns alpha");
        }
        // The grid on the terminal: a title, a header of the alphas, a line per gamma.
        Cli grid = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_1.npz").toString(), "--gamma", GAMMAS,
                "--alpha", ALPHAS, "--sweep-metric", "positive.share");
        assertEquals(0, grid.code, grid.toString());
        List<String> lines = grid.out.lines().toList();
        assertEquals(7, lines.size(), grid.out);
        assertEquals("positive.share over 5 x 3 (gamma, alpha) pairs:", lines.get(0));
        assertTrue(lines.get(1).matches("gamma \\\\ alpha +0\\.25 +0\\.5 +0\\.75"), lines.get(1));
        assertTrue(lines.get(6).startsWith("3 "), lines.get(6));
    }

    @Test
    void aSweepIsBitForBitEachPairAloneWhateverTheKernel() throws Exception {
        Path bundle = ManyDumpsTest.RUN.resolve("iter_2.npz");
        for (String kernel : new String[] {"scalar", "polynomial", "vector"}) {
            Map<String, String> env = Map.of("FOCAL_KERNEL", kernel);
            Cli sweep = Cli.withEnv(env, "eval", bundle.toString(), "--gamma", "0.5,2", "--alpha", "0.25,0.6",
                    "--top", "3", "--json");
            assertEquals(0, sweep.code, sweep.toString());
            JsonNode pairs = ManyDumpsTest.JSON.readTree(sweep.out).get("pairs");
            int p = 0;
            for (String g : new String[] {"0.5", "2"}) {
                for (String a : new String[] {"0.25", "0.6"}) {
                    Cli alone = Cli.withEnv(env, "eval", bundle.toString(), "--gamma", g, "--alpha", a, "--top", "3",
                            "--json");
                    assertEquals(0, alone.code, alone.toString());
                    assertEquals(ManyDumpsTest.JSON.readTree(alone.out), pairs.get(p++).get("summary"),
                            kernel + " gamma " + g + " alpha " + a);
                }
            }
        }
    }

    /** Inputs of several ranges (FocalEvaluation's unit of work), so that threads take different ones. */
    private Path[] largeInputs() throws Exception {
        Random rnd = new Random(21);
        Shape shape = Shape.of(3, 40_000, 3);
        Tensor x = Tensor.allocate(DType.FLOAT32, shape);
        Tensor t = Tensor.allocate(DType.FLOAT32, shape);
        Tensor w = Tensor.allocate(DType.FLOAT32, Shape.of(3, 40_000));
        for (long i = 0; i < shape.count(); i++) {
            x.setDouble(i, rnd.nextGaussian() * 3 - 3);
            t.setDouble(i, rnd.nextInt(50) == 0 ? 1 : 0);
        }
        for (long i = 0; i < w.count(); i++) {
            w.setDouble(i, rnd.nextInt(30) == 0 ? 0 : 0.01);
        }
        Path[] files = {tmp.resolve("x.npy"), tmp.resolve("t.npy"), tmp.resolve("w.npy")};
        TensorIO.write(x, files[0]);
        TensorIO.write(t, files[1]);
        TensorIO.write(w, files[2]);
        return files;
    }

    @Test
    void theSweepsFiguresAndTableAreTheSameForAnyThreads() throws Exception {
        Path[] in = largeInputs();
        String stats = null;
        byte[] table = null;
        for (String threads : new String[] {"1", "2", "3"}) {
            Path csv = tmp.resolve("sweep" + threads + ".csv");
            Cli r = Cli.run("eval", "--logits", in[0].toString(), "--targets", in[1].toString(), "--weights",
                    in[2].toString(), "--gamma", "0:3:1.5", "--alpha", "0.25,0.5", "--top", "2", "--threads", threads,
                    "--table", csv.toString(), "--json");
            assertEquals(0, r.code, r.toString());
            if (stats == null) {
                stats = r.out;
                table = Files.readAllBytes(csv);
            } else {
                assertEquals(stats, r.out, "--threads " + threads);
                assertArrayEquals(table, Files.readAllBytes(csv), "--threads " + threads);
            }
        }
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(tmp.resolve("sweep1.csv"));
        assertEquals(6, rows.size());
        assertEquals(List.of("file", "gamma", "alpha", "loss.sum"), List.copyOf(rows.get(0).keySet()).subList(0, 4));
        assertEquals("1.5", rows.get(2).get("gamma"), "0:3:1.5 is 0, 1.5, 3");
        assertEquals("0.25", rows.get(2).get("alpha"));
        assertEquals(in[0].toString(), rows.get(0).get("file"), "without a bundle, the logits name the row");
    }

    @Test
    void aSweepOverManyDumpsHasARowPerDumpAndPairWithTorchsFigures() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Path stats = tmp.resolve("runs.json");
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.toString(), "--gamma", GAMMAS, "--alpha", ALPHAS, "--table",
                csv.toString(), "--stats", stats.toString());
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = ManyDumpsTest.readCsv(csv);
        JsonNode dumps = expected().get("dumps");
        assertEquals(4 * 15, rows.size());
        for (int d = 0; d < 4; d++) {
            for (int p = 0; p < 15; p++) {
                JsonNode w = dumps.get(d).get("pairs").get(p);
                Map<String, String> row = rows.get(d * 15 + p);
                String what = dumps.get(d).get("file").asText() + " pair " + p;
                assertEquals(ManyDumpsTest.RUN.resolve(dumps.get(d).get("file").asText()).toString(), row.get("file"));
                assertEquals(w.get("gamma").asDouble(), Double.parseDouble(row.get("gamma")), what);
                assertEquals(w.get("alpha").asDouble(), Double.parseDouble(row.get("alpha")), what);
                for (Map.Entry<String, JsonNode> f : w.get("figures").properties()) {
                    if (row.containsKey(f.getKey())) {
                        ManyDumpsTest.assertFigure(what + " " + f.getKey(), f.getValue(), row.get(f.getKey()));
                    }
                }
            }
        }
        JsonNode doc = ManyDumpsTest.JSON.readTree(stats.toFile());
        assertEquals(60, doc.get("dumps").size());
        JsonNode aggregate = doc.get("aggregate");
        assertEquals(15, aggregate.size(), "one aggregate per pair");
        assertEquals(4, aggregate.get(0).get("dumps").asLong());
        assertTrue(r.out.lines().filter(l -> l.startsWith("all (4 dumps)")).count() == 15, r.out);
    }

    @Test
    void failOnNonfiniteChecksEachPairWithATestCaseEach() throws Exception {
        Path junit = tmp.resolve("junit.xml");
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_2.npz").toString(), "--gamma", "1,2",
                "--fail-on-nonfinite", "--junit", junit.toString());
        assertEquals(1, r.code, r.toString());
        assertEquals(List.of("focal: gamma 1, alpha 0.25: the loss is not finite: 1 NaN (the first at [0, 0, 0])",
                "focal: gamma 2, alpha 0.25: the loss is not finite: 1 NaN (the first at [0, 0, 0])"),
                r.err.lines().toList());
        String xml = Files.readString(junit);
        assertTrue(xml.contains("testcase name=\"gamma 1, alpha 0.25: loss is finite\""), xml);
        assertTrue(xml.contains("testcase name=\"gamma 2, alpha 0.25: loss is finite\""), xml);
    }

    @Test
    void perElementOutputsAndOneGoldenRefuseASweep() {
        String bundle = ManyDumpsTest.RUN.resolve("iter_1.npz").toString();
        String[][] conflicts = {
            {"--out", tmp.resolve("l.npy").toString()}, {"--grad-out", tmp.resolve("g.npy").toString()},
            {"--expect", bundle + ":logits"}, {"--expect-stats", tmp.resolve("golden.json").toString()},
        };
        for (String[] c : conflicts) {
            Cli r = Cli.run("eval", bundle, "--gamma", "1,2", c[0], c[1]);
            assertEquals(2, r.code, r.toString());
            assertTrue(r.err.startsWith("focal: " + c[0] + " holds the figures of one (gamma, alpha) pair; it cannot"
                    + " apply to a sweep of 2 pairs (--gamma 1,2 --alpha 0.25)"), r.err);
            assertFalse(Files.exists(Path.of(c[1])), c[0]);
        }
        Cli many = Cli.run("eval", ManyDumpsTest.RUN.toString(), "--alpha", "0.25,0.5");
        assertEquals(2, many.code, many.toString());
        assertTrue(many.err.contains("a sweep over many dumps has a row per dump and (gamma, alpha) pair: give"
                + " --table FILE"), many.err);
    }

    @Test
    void badValuesAndMetricsAreUsageErrorsNamingTheFlagAndText() {
        String bundle = ManyDumpsTest.RUN.resolve("iter_1.npz").toString();
        String[][] cases = {
            {"--gamma", "1,,2", "focal: --gamma '1,,2': an empty value"},
            {"--gamma", "1,2x", "focal: --gamma '1,2x': '2x' is not a number"},
            {"--alpha", "0.75:0.25:0.25", "focal: --alpha '0.75:0.25:0.25': the range 0.75:0.25:0.25 ends before it"
                    + " starts"},
            {"--alpha", "0:1:0", "focal: --alpha '0:1:0': the range 0:1:0 needs a STEP above 0"},
            {"--gamma", "0:1", "focal: --gamma '0:1': '0:1' is neither a number nor a range START:END:STEP"},
            {"--gamma", "0:1e9:1", "focal: --gamma '0:1e9:1': the range 0:1e9:1 has more than 1000 values"},
            {"--gamma", "NaN", "focal: --gamma 'NaN': 'NaN' is not a number"},
            {"--gamma", "1e999", "focal: --gamma '1e999': 1e999 is beyond the range of a double"},
        };
        for (String[] c : cases) {
            Cli r = Cli.run("eval", bundle, c[0], c[1]);
            assertEquals(2, r.code, r.toString());
            assertTrue(r.err.startsWith(c[2]), r.err);
            assertEquals(1, r.err.lines().count(), r.err);
        }
        Cli metric = Cli.run("eval", bundle, "--gamma", "1,2", "--sweep-metric", "loss.median");
        assertEquals(2, metric.code, metric.toString());
        assertTrue(metric.err.startsWith("focal: --sweep-metric loss.median is not a numeric field of the"
                + " sigmoid-focal summary;"
                + " one of gamma, alpha, loss_weight, loss.sum, loss.mean, loss.per_batch,"), metric.err);
        Cli lone = Cli.run("eval", bundle, "--sweep-metric", "loss.sum");
        assertEquals(2, lone.code, lone.toString());
        assertTrue(lone.err.startsWith("focal: --sweep-metric chooses the figure of a sweep's grid"), lone.err);
    }

    @Test
    void aRangeIsTheListOfItsDecimalValuesEndIncluded() {
        assertArrayEquals(new double[] {0.25, 0.5, 0.75}, SweepValues.parse("--alpha", "0.25:0.75:0.25"));
        assertArrayEquals(new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
                SweepValues.parse("--gamma", "0:1:0.1"), 0, "0.3, not 0.1 + 0.1 + 0.1");
        assertArrayEquals(new double[] {0, 0.4, 0.8}, SweepValues.parse("--gamma", "0:1:0.4"),
                "an end no step reaches is left out");
        assertArrayEquals(new double[] {2, 0, 1, 1.5}, SweepValues.parse("--gamma", " 2, 0:1.5:1, 1.5 "),
                "lists and ranges mix, in the order given");
        assertArrayEquals(new double[] {2}, SweepValues.parse("--gamma", "2.0"));
    }

    @Test
    void everyNumericFieldOfTheSummaryIsAMetric() throws Exception {
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_2.npz").toString(), "--gamma", "1,2", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode pair = ManyDumpsTest.JSON.readTree(r.out).get("pairs").get(1);
        JsonNode summary = pair.get("summary");
        int numeric = 0;
        for (Map.Entry<String, JsonNode> top : summary.properties()) {
            List<Map.Entry<String, JsonNode>> leaves = top.getValue().isObject()
                    ? List.copyOf(top.getValue().properties()) : List.of(top);
            for (Map.Entry<String, JsonNode> leaf : leaves) {
                String name = top.getValue().isObject() ? top.getKey() + "." + leaf.getKey() : leaf.getKey();
                JsonNode v = leaf.getValue();
                boolean number = v.isNumber() || (v.isTextual() && v.asText().matches("NaN|-?Infinity"))
                        || (v.isNull() && !name.startsWith("labels."));
                if (!number) {
                    continue;
                }
                numeric++;
                assertTrue(SweepGrid.METRICS.containsKey(name), name + " is numeric but not a --sweep-metric");
                Cli grid = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_2.npz").toString(), "--gamma", "1,2",
                        "--sweep-metric", name, "--json");
                JsonNode cell = ManyDumpsTest.JSON.readTree(grid.out).get("grid").get(1).get(0);
                assertEquals(v, cell, name);
            }
        }
        // loss.head is given where focal knows the head (labels mode, heatmap losses); this bundle has targets.
        assertFalse(summary.get("loss").has("head"));
        assertEquals(SweepGrid.METRICS.size(), numeric + 1, "no metric the summary lacks but loss.head");
    }
}
