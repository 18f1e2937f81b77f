package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many dumps in one eval (docs/commands.md#many-dumps), on the folder of dumps that
 * tools/oracle/dumps_oracle.py wrote with the figures torch computed for each, and their aggregate.
 */
class ManyDumpsTest {
    static final Path DUMPS = Path.of("src/test/resources/dumps");
    static final Path RUN = DUMPS.resolve("run");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    /** focal sums the float64 losses with compensation, torch in its own order: both within a few ulps. */
    static final double SUM_RTOL = 1e-12;

    @TempDir
    Path tmp;

    private static JsonNode expected() throws Exception {
        return JSON.readTree(DUMPS.resolve("expected.json").toFile());
    }

    /** RFC 4180: fields split at commas outside quotes, "" inside quotes for a quote, CRLF line ends. */
    static List<Map<String, String>> readCsv(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r') {
                assertEquals('\n', text.charAt(i + 1), "CRLF line ends");
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                assertFalse(c == '\n', "a bare LF outside quotes");
                field.append(c);
            }
        }
        assertTrue(record.isEmpty() && field.length() == 0, "the last record ends with CRLF");
        List<String> header = records.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> r : records.subList(1, records.size())) {
            assertEquals(header.size(), r.size(), "fields in " + r);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), r.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    /** A figure as torch gave it: counts exactly, sums and ratios to SUM_RTOL, NaN as NaN. */
    static void assertFigure(String what, JsonNode want, String got) {
        if (want.isIntegralNumber()) {
            assertEquals(want.asLong(), Long.parseLong(got), what);
        } else if (Double.isNaN(want.asDouble())) {
            assertEquals("NaN", got, what);
        } else {
            double g = Double.parseDouble(got);
            assertEquals(want.asDouble(), g, SUM_RTOL * Math.abs(want.asDouble()), what);
        }
    }

    @Test
    void aFolderIsOneRowPerBundleInNaturalOrderWithTorchsFigures() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Cli r = Cli.run("eval", RUN.toString(), "--table", csv.toString());
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = readCsv(csv);
        JsonNode dumps = expected().get("dumps");
        assertEquals(dumps.size(), rows.size(), "notes.txt and weights.npy are not bundles");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode d = dumps.get(i);
            Map<String, String> row = rows.get(i);
            assertEquals(RUN.resolve(d.get("file").asText()).toString(), row.get("file"), "natural order");
            assertEquals("", row.get("error"));
            for (Map.Entry<String, JsonNode> f : d.get("figures").properties()) {
                assertFigure(d.get("file").asText() + " " + f.getKey(), f.getValue(), row.get(f.getKey()));
            }
        }
        assertEquals("[0, 0, 0]", rows.get(1).get("nonfinite.first_nan"), "iter_2's NaN, quoted for its commas");
        assertEquals("", rows.get(0).get("nonfinite.first_nan"), "no NaN: an empty cell");
        // The table on stdout: a line per dump, then the aggregate.
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("all (4 dumps)")), r.out);
    }

    @Test
    void labelsModeBundlesWorkAsAFolder() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Cli r = Cli.run("eval", DUMPS.resolve("labels").toString(), "--num-classes", "3", "--table", csv.toString(),
                "--quiet");
        assertEquals(0, r.code, r.toString());
        List<Map<String, String>> rows = readCsv(csv);
        JsonNode dumps = expected().get("labels");
        assertEquals(dumps.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            for (Map.Entry<String, JsonNode> f : dumps.get(i).get("figures").properties()) {
                assertFigure(rows.get(i).get("file") + " " + f.getKey(), f.getValue(), rows.get(i).get(f.getKey()));
            }
        }
    }

    @Test
    void theTableAndASingleRunsJsonSummaryAgreeDigitForDigit() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        assertEquals(0, Cli.run("eval", RUN.toString(), "--table", csv.toString(), "--quiet").code);
        List<Map<String, String>> rows = readCsv(csv);
        for (Map<String, String> row : rows) {
            Cli one = Cli.run("eval", row.get("file"), "--json");
            assertEquals(0, one.code, one.toString());
            JsonNode s = JSON.readTree(one.out);
            for (String key : new String[] {"loss.sum", "loss.mean", "loss.per_batch", "positive.share",
                "negative.loss_sum", "anchors.negative"}) {
                String[] path = key.split("\\.");
                assertEquals(s.get(path[0]).get(path[1]).asText(), row.get(key), row.get("file") + " " + key);
            }
        }
    }

    @Test
    void anUnreadableDumpIsARowWithItsErrorAndExit3AtTheEnd() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Cli r = Cli.run("eval", DUMPS.resolve("broken.npz").toString(), RUN.toString(), "--table", csv.toString());
        assertEquals(3, r.code, r.toString());
        List<Map<String, String>> rows = readCsv(csv);
        assertEquals(5, rows.size());
        assertTrue(rows.get(0).get("error").startsWith(DUMPS.resolve("broken.npz") + ": not a zip archive"),
                rows.get(0).toString());
        assertEquals("", rows.get(0).get("loss.sum"));
        assertFigure("iter_1 after the failure", expected().get("dumps").get(0).get("figures").get("loss.sum"),
                rows.get(1).get("loss.sum"));
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("focal: " + DUMPS.resolve("broken.npz") + ": not a zip archive"), r.err);
    }

    @Test
    void failFastStopsAtTheFirstFailedDump() throws Exception {
        Path csv = tmp.resolve("runs.csv");
        Cli r = Cli.run("eval", RUN.resolve("iter_1.npz").toString(), DUMPS.resolve("missing.npz").toString(),
                RUN.toString(), "--table", csv.toString(), "--fail-fast");
        assertEquals(3, r.code, r.toString());
        List<Map<String, String>> rows = readCsv(csv);
        assertEquals(2, rows.size(), "the rows up to the failure");
        assertTrue(rows.get(1).get("error").endsWith("missing.npz: no such file"), rows.get(1).toString());
        assertTrue(r.err.contains("--fail-fast: stopped after dump 2 of 6"), r.err);
    }

    @Test
    void inputsListsOneBundlePerLineInItsOrder() throws Exception {
        Path list = tmp.resolve("dumps.txt");
        Files.writeString(list, RUN.resolve("iter_10.npz") + "\n\n" + RUN.resolve("iter_1.npz") + "\n");
        Path jsonl = tmp.resolve("runs.jsonl");
        Cli r = Cli.run("eval", "--inputs", list.toString(), "--table", jsonl.toString());
        assertEquals(0, r.code, r.toString());
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(2, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(RUN.resolve("iter_10.npz").toString(), first.get("file").asText());
        assertFigure("iter_10 loss.sum", expected().get("dumps").get(3).get("figures").get("loss.sum"),
                first.get("loss.sum").asText());
        assertTrue(first.get("error").isNull());

        Cli missing = Cli.run("eval", "--inputs", tmp.resolve("none.txt").toString());
        assertEquals(3, missing.code, missing.toString());
        assertTrue(missing.err.contains("none.txt: cannot read the --inputs list"), missing.err);
    }

    @Test
    void statsHoldEachSummaryAndTheAggregateRecomputedFromSums() throws Exception {
        Path stats = tmp.resolve("stats.json");
        Cli r = Cli.run("eval", RUN.resolve("iter_1.npz").toString(), RUN.resolve("iter_5.json").toString(),
                RUN.resolve("iter_10.npz").toString(), "--stats", stats.toString(), "--quiet");
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.out);
        JsonNode doc = JSON.readTree(stats.toFile());
        assertEquals(3, doc.get("dumps").size());
        JsonNode iter5 = expected().get("dumps").get(2);
        assertEquals(iter5.get("summary").get("loss").get("sum").asDouble(),
                doc.get("dumps").get(1).get("summary").get("loss").get("sum").asDouble(),
                SUM_RTOL * iter5.get("summary").get("loss").get("sum").asDouble());
        JsonNode want = expected().get("aggregate_finite");
        JsonNode got = doc.get("aggregate");
        for (Map.Entry<String, JsonNode> f : want.properties()) {
            String[] path = f.getKey().split("\\.");
            JsonNode v = path.length == 1 ? got.get(path[0]) : got.get(path[0]).get(path[1]);
            assertFigure("aggregate " + f.getKey(), f.getValue(), v.asText());
        }
    }

    @Test
    void theAggregateOfANanDumpIsNanAndItsCountsAdd() throws Exception {
        Path json = tmp.resolve("runs.json");
        Cli r = Cli.run("eval", RUN.toString(), "--json", "--table", json.toString());
        assertEquals(0, r.code, r.toString());
        JsonNode got = JSON.readTree(r.out).get("aggregate");
        JsonNode want = expected().get("aggregate");
        assertEquals("NaN", got.get("loss").get("sum").asText());
        assertEquals(want.get("anchors.negative").asLong(), got.get("anchors").get("negative").asLong());
        assertEquals(want.get("nonfinite.loss").asLong(), got.get("nonfinite").get("loss").asLong());
        assertFigure("positive.loss_sum", want.get("positive.loss_sum"), got.get("positive").get("loss_sum").asText());
        JsonNode table = JSON.readTree(json.toFile());
        assertEquals(4, table.size());
        assertEquals("NaN", table.get(1).get("loss.sum").asText(), "non-finite as the summary's strings");
    }

    @Test
    void checksRunOnEachDumpWithOneJUnitCaseEach() throws Exception {
        Path junit = tmp.resolve("junit.xml");
        Cli r = Cli.run("eval", RUN.toString(), "--fail-on-nonfinite", "--junit", junit.toString(), "--quiet");
        assertEquals(1, r.code, r.toString());
        assertEquals("focal: " + RUN.resolve("iter_2.npz") + ": the loss is not finite: 1 NaN (the first at [0, 0, 0])",
                r.err.strip());
        String xml = Files.readString(junit);
        assertEquals(4, xml.split("<testcase ", -1).length - 1, xml);
        assertEquals(1, xml.split("<failure ", -1).length - 1, xml);
        assertTrue(xml.contains("name=\"" + RUN.resolve("iter_10.npz") + ": loss is finite\""), xml);
    }

    @Test
    void expectStatsChecksEachDumpAgainstItsGoldenInAFolder() throws Exception {
        Path goldens = tmp.resolve("goldens");
        String[] run = {"eval", RUN.resolve("iter_1.npz").toString(), RUN.resolve("iter_10.npz").toString(),
            "--expect-stats", goldens.toString(), "--quiet"};
        Cli ci = Cli.withEnv(Map.of("CI", "true"), run);
        assertEquals(1, ci.code, ci.toString());
        assertFalse(Files.exists(goldens), "CI writes no golden");
        Cli first = Cli.run(run);
        assertEquals(1, first.code, "a missing golden fails, and is written: " + first);
        JsonNode iter10 = JSON.readTree(goldens.resolve("iter_10.npz.json").toFile());
        assertFigure("golden iter_10 loss.sum", expected().get("dumps").get(3).get("figures").get("loss.sum"),
                iter10.get("loss").get("sum").asText());
        Cli second = Cli.run(run);
        assertEquals(0, second.code, second.toString());

        ((ObjectNode) iter10.get("anchors")).put("positive", 99);
        JSON.writeValue(goldens.resolve("iter_10.npz.json").toFile(), iter10);
        Cli changed = Cli.run(run);
        assertEquals(1, changed.code, changed.toString());
        assertTrue(changed.err.startsWith("focal: " + RUN.resolve("iter_10.npz") + ": summary differs from "
                + goldens.resolve("iter_10.npz.json") + ": 1 field (anchors.positive)"), changed.err);

        Cli file = Cli.run("eval", RUN.toString(), "--expect-stats", RUN.resolve("notes.txt").toString());
        assertEquals(2, file.code, file.toString());
        assertTrue(file.err.contains("name a folder of golden summaries"), file.err);
        Cli twice = Cli.run("eval", RUN.resolve("iter_1.npz").toString(), "./" + RUN.resolve("iter_1.npz"),
                "--expect-stats", goldens.toString());
        assertEquals(2, twice.code, twice.toString());
        assertTrue(twice.err.contains("would share the golden summary"), twice.err);
    }

    @Test
    void optionsForOneBundleAreUsageErrorsNamingTheConflict() {
        String[][] refused = {
            {"--out", tmp.resolve("loss.npy").toString()}, {"--grad-out", tmp.resolve("g.npy").toString()},
            {"--expect", RUN.resolve("weights.npy").toString()}, {"--logits", RUN.resolve("iter_1.npz").toString()},
        };
        for (String[] o : refused) {
            Cli r = Cli.run("eval", RUN.toString(), o[0], o[1]);
            assertEquals(2, r.code, r.toString());
            assertTrue(r.err.startsWith("focal: " + o[0] + " names one file for a single bundle"), r.err);
        }
        Cli txt = Cli.run("eval", RUN.toString(), "--table", tmp.resolve("runs.txt").toString());
        assertEquals(2, txt.code, txt.toString());
        assertTrue(txt.err.contains("name the file .csv, .jsonl or .json"), txt.err);
        Cli single = Cli.run("eval", RUN.resolve("iter_1.npz").toString(), "--fail-fast");
        assertEquals(2, single.code, single.toString());
        Cli clash = Cli.run("eval", RUN.toString(), "--stats", RUN.resolve("iter_5.json").toString());
        assertEquals(2, clash.code, clash.toString());
        assertTrue(clash.err.contains("is an input file"), clash.err);
    }

    @Test
    void theTableIsTheSameBytesForAnyThreadCount() throws Exception {
        Path one = tmp.resolve("one.csv");
        Path two = tmp.resolve("two.csv");
        assertEquals(0, Cli.run("eval", RUN.toString(), "--table", one.toString(), "--threads", "1", "--quiet").code);
        assertEquals(0, Cli.run("eval", RUN.toString(), "--table", two.toString(), "--threads", "2", "--quiet").code);
        assertEquals(Files.readString(one), Files.readString(two));
    }

    @Test
    void naturalOrderComparesRunsOfDigitsAsNumbers() {
        List<String> names = new ArrayList<>(List.of("iter_10.npz", "iter_9.npz", "iter_010.npz", "a.npz",
                "iter_100.npz", "iter_2b.npz", "iter_2a.npz", "iter_99999999999999999999.npz"));
        names.sort(DumpInputs.NATURAL);
        assertEquals(List.of("a.npz", "iter_2a.npz", "iter_2b.npz", "iter_9.npz", "iter_010.npz", "iter_10.npz",
                "iter_100.npz", "iter_99999999999999999999.npz"), names);
    }
}
