package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval --expect, --expect-stats, --update and --junit as a CI script uses them. The reference
 * loss is PyTorch's own float32 output for the anchor-head case (tools/oracle/eval_oracle.py).
 */
class EvalChecksTest {
    static final Path CASE = Path.of("src/test/resources/eval/anchor_head");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    Path tmp;

    private String[] eval(String... extra) {
        String[] base = {"eval", "--logits", CASE.resolve("logits.npy").toString(), "--targets",
            CASE.resolve("targets.npy").toString(), "--weights", CASE.resolve("weights.npy").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    /** Torch's loss with one element changed to 0.5, far outside any tolerance. */
    private Path perturbedTorchLoss(long index) {
        Path out = tmp.resolve("perturbed.npy");
        try (TensorFile f = TensorIO.open(CASE.resolve("loss.npy").toString())) {
            Tensor torch = f.get(null);
            Tensor copy = Tensor.allocate(DType.FLOAT32, torch.shape());
            for (long i = 0; i < torch.count(); i++) {
                copy.setDouble(i, i == index ? 0.5 : torch.getDouble(i));
            }
            TensorIO.write(copy, out);
        }
        return out;
    }

    @Test
    void torchsOwnLossPassesAndAPerturbedElementFailsWithItsIndex() throws Exception {
        Cli ok = Cli.run(eval("--expect", CASE.resolve("loss.npy").toString()));
        assertEquals(0, ok.code, ok.toString());
        assertTrue(ok.out.contains("expect close: yes"), ok.out);

        Cli bad = Cli.run(eval("--expect", perturbedTorchLoss(37).toString(), "--json"));
        assertEquals(1, bad.code, bad.toString());
        JsonNode expect = JSON.readTree(bad.out).get("checks").get("expect");
        assertFalse(expect.get("close").asBoolean());
        assertEquals(1, expect.get("mismatched").asLong());
        // Flat index 37 of shape (2, 50, 3) is [0, 12, 1].
        assertEquals("[0,12,1]", expect.get("max_abs_diff").get("index").toString());
        assertEquals(0.5, expect.get("max_abs_diff").get("expected").asDouble());
    }

    @Test
    void reducedValuesAreCheckedToo() {
        Path sum = tmp.resolve("sum.npy");
        Tensor t = Tensor.allocate(DType.FLOAT64, dev.focal.tensor.Shape.scalar());
        t.setDouble(0, 1.0);
        TensorIO.write(t, sum);
        Cli r = Cli.run(eval("--reduction", "sum", "--expect", sum.toString()));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.out.contains("1 of 1 elements"), r.out);
    }

    @Test
    void goldenSummaryRoundTripsThroughUpdate() throws Exception {
        Path golden = tmp.resolve("golden.json");
        Cli first = Cli.run(eval("--expect-stats", golden.toString()));
        assertEquals(1, first.code, "a missing golden file is a failed check\n" + first);
        assertEquals("focal: golden summary " + golden + " did not exist: written now; check it and commit it,"
                + " the next run compares against it\n", first.err);
        assertTrue(Files.exists(golden));
        // The golden holds torch's sum (within float32 tolerance): what was written is the real summary.
        double torchSum = JSON.readTree(CASE.resolve("expected.json").toFile()).get("loss").get("sum").asDouble();
        assertEquals(torchSum, JSON.readTree(golden.toFile()).get("loss").get("sum").asDouble(), 1e-6 * Math.abs(torchSum));

        Cli same = Cli.run(eval("--expect-stats", golden.toString()));
        assertEquals(0, same.code, same.toString());
        assertTrue(same.out.contains("summary matches"), same.out);
        assertEquals("", same.err);

        Cli changed = Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5"));
        assertEquals(1, changed.code, changed.toString());
        assertTrue(changed.out.contains("gamma: golden 2.0, now 2.5"), changed.out);
        assertTrue(changed.out.contains("loss.sum: golden"), changed.out);
        assertTrue(changed.err.startsWith("focal: summary differs from " + golden + ": "), changed.err);
        assertEquals(1, changed.err.lines().count(), changed.err);

        Cli update = Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5", "--update"));
        assertEquals(0, update.code, update.toString());
        assertTrue(update.err.contains("golden summary " + golden + " updated"), update.err);
        assertEquals(0, Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5")).code);
    }

    /** In CI a missing golden is a failure and is not written: a build must not pass by writing its own reference. */
    @Test
    void aMissingGoldenInCiFailsAndIsNotWritten() throws Exception {
        Path golden = tmp.resolve("ref/summary.json");
        Path junit = tmp.resolve("reports/focal.xml");
        for (String ci : new String[] {"true", "1", "yes", ""}) {
            Cli r = Cli.withEnv(Map.of("CI", ci), eval("--expect-stats", golden.toString(), "--junit", junit.toString()));
            assertEquals(1, r.code, "CI=" + ci + "\n" + r);
            assertFalse(Files.exists(golden), "CI=" + ci + ": nothing written");
            assertEquals("focal: golden summary " + golden + " does not exist, and CI (the CI variable is set) does"
                    + " not write it: commit it, or write it with --update\n", r.err);
            String xml = validJUnit(junit);
            assertTrue(xml.contains("tests=\"1\" failures=\"1\" errors=\"0\""), xml);
            assertTrue(xml.contains("<failure message=\"golden summary " + golden + " does not exist"), xml);
        }
        for (String notCi : new String[] {"false", "0", "FALSE"}) {
            Cli r = Cli.withEnv(Map.of("CI", notCi), eval("--expect-stats", golden.toString()));
            assertEquals(1, r.code, r.toString());
            assertTrue(Files.exists(golden), "CI=" + notCi + " is not CI: the golden is written");
            Files.delete(golden);
        }
        Cli update = Cli.withEnv(Map.of("CI", "true"), eval("--expect-stats", golden.toString(), "--update",
                "--junit", junit.toString()));
        assertEquals(0, update.code, "--update writes and passes, in CI too\n" + update);
        assertTrue(Files.exists(golden));
        assertTrue(validJUnit(junit).contains("failures=\"0\""));
        assertEquals(0, Cli.withEnv(Map.of("CI", "true"), eval("--expect-stats", golden.toString())).code);
    }

    /**
     * The case: one small element grows 100-fold, far below assert_close's atol of 1e-5.
     * eval --expect is relative only by default and fails; compare keeps torch's tolerances, passes,
     * and says which element passed only because of atol.
     */
    @Test
    void aHundredfoldChangeOfASmallElementFailsExpectAndIsShownByCompare() throws Exception {
        long index = smallestTorchLossIndex();
        double before;
        Path changed = tmp.resolve("changed.npy");
        try (TensorFile f = TensorIO.open(CASE.resolve("loss.npy").toString())) {
            Tensor torch = f.get(null);
            before = torch.getDouble(index);
            Tensor copy = Tensor.allocate(DType.FLOAT32, torch.shape());
            for (long i = 0; i < torch.count(); i++) {
                copy.setDouble(i, i == index ? 100 * torch.getDouble(i) : torch.getDouble(i));
            }
            TensorIO.write(copy, changed);
        }
        assertTrue(before > 0 && 100 * before < 1e-5, "the element is tiny: " + before);
        String where = dev.focal.tensor.Shape.indexString(dev.focal.tensor.Shape.of(2, 50, 3).unravel(index));

        Cli r = Cli.run(eval("--expect", changed.toString()));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: loss differs from " + changed + ": 1 of 300 elements (0.33%) differ beyond"
                + " rtol=1.3e-06, atol=0.0"), r.err);
        assertTrue(r.out.contains("first at " + where), r.out);
        assertEquals(0, Cli.run(eval("--expect", changed.toString(), "--rtol", "1.3e-6", "--atol", "1e-5")).code,
                "--rtol/--atol still loosen the check");

        Cli c = Cli.run("compare", changed.toString(), CASE.resolve("loss.npy").toString());
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("  1 close only by atol: relative difference above rtol=1.3e-06, the first at " + where
                + ", the greatest 0.99 at " + where), c.out);
        assertTrue(c.out.contains("--atol 0 --rtol 1.3e-06 makes them failures"), c.out);
        Cli json = Cli.run("compare", changed.toString(), CASE.resolve("loss.npy").toString(), "--json");
        JsonNode j = EvalCommandTest.STRICT.readTree(json.out);
        assertEquals(1, j.get("atol_only").asLong());
        assertEquals(where.replace(" ", ""), j.get("first_atol_only").toString());
        assertEquals(1, Cli.run("compare", changed.toString(), CASE.resolve("loss.npy").toString(), "--atol", "0",
                "--rtol", "1.3e-6").code, "the documented way to make it a failure");
    }

    private static long smallestTorchLossIndex() {
        try (TensorFile f = TensorIO.open(CASE.resolve("loss.npy").toString())) {
            Tensor torch = f.get(null);
            long best = -1;
            for (long i = 0; i < torch.count(); i++) {
                double v = torch.getDouble(i);
                if (v > 0 && (best < 0 || v < torch.getDouble(best))) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** The README's CI recipe writes into folders a fresh checkout does not have. */
    @Test
    void outputsGoIntoFoldersThatDoNotExistYet() throws Exception {
        Path out = tmp.resolve("ref/a/loss.npy");
        Path stats = tmp.resolve("ref/b/stats.json");
        Path golden = tmp.resolve("ref/c/summary.json");
        Path junit = tmp.resolve("reports/d/focal.xml");
        Cli r = Cli.run(eval("--out", out.toString(), "--stats", stats.toString(), "--expect-stats", golden.toString(),
                "--junit", junit.toString()));
        assertEquals(1, r.code, "the golden was missing\n" + r);
        for (Path p : new Path[] {out, stats, golden, junit}) {
            assertTrue(Files.isRegularFile(p), p.toString());
        }
        Cli again = Cli.run(eval("--expect", out.toString(), "--expect-stats", golden.toString(), "--junit",
                junit.toString()));
        assertEquals(0, again.code, again.toString());

        Path file = Files.writeString(tmp.resolve("plain"), "x");
        Cli blocked = Cli.run(eval("--out", file.resolve("sub/loss.npy").toString()));
        assertEquals(4, blocked.code, blocked.toString());
        assertEquals(1, blocked.err.lines().count(), blocked.err);
        assertTrue(blocked.err.startsWith("focal: " + file.resolve("sub/loss.npy") + ": "), blocked.err);
        assertEquals("x", Files.readString(file));
    }

    /** An input error still reaches CI: the report is rewritten with an error case, never left stale. */
    @Test
    void anInputErrorWritesAnErrorCaseOverAStaleReport() throws Exception {
        Path golden = tmp.resolve("golden.json");
        Path junit = tmp.resolve("report.xml");
        Cli.run(eval("--expect-stats", golden.toString()));
        assertEquals(0, Cli.run(eval("--expect-stats", golden.toString(), "--junit", junit.toString())).code);
        assertTrue(validJUnit(junit).contains("failures=\"0\" errors=\"0\""));

        Path missing = tmp.resolve("new_dump/logits.npy");
        Cli r = Cli.run("eval", "--logits", missing.toString(), "--targets", CASE.resolve("targets.npy").toString(),
                "--expect-stats", golden.toString(), "--junit", junit.toString());
        assertEquals(3, r.code, r.toString());
        String xml = validJUnit(junit);
        assertTrue(xml.contains("tests=\"1\" failures=\"0\" errors=\"1\""), xml);
        assertTrue(xml.contains("<error message=\"" + missing + ": no such file\" type=\"RunFailed\">"), xml);

        Files.delete(junit);
        Cli fresh = Cli.run("eval", "--logits", missing.toString(), "--targets", CASE.resolve("targets.npy").toString(),
                "--expect-stats", golden.toString(), "--junit", junit.toString());
        assertEquals(3, fresh.code);
        assertTrue(validJUnit(junit).contains("errors=\"1\""), "written when there was none before");

        Cli compare = Cli.run("compare", missing.toString(), CASE.resolve("loss.npy").toString(), "--junit",
                junit.toString());
        assertEquals(3, compare.code, compare.toString());
        assertTrue(validJUnit(junit).contains("<error message=\"" + missing + ": no such file\""));

        Cli usage = Cli.run(eval("--expect-stats", golden.toString(), "--junit", junit.toString(), "--top", "-1"));
        assertEquals(2, usage.code, usage.toString());
        assertTrue(validJUnit(junit).contains("<error message=\"--top must be 0 or more, not -1\""));
    }

    /** --equal-nan decides NaN against NaN for both checks of a run, as compare does. */
    @Test
    void nanAgainstNanFollowsEqualNanInBothChecks() throws Exception {
        Path logits = tmp.resolve("nan_logits.npy");
        try (TensorFile f = TensorIO.open(CASE.resolve("logits.npy").toString())) {
            Tensor x = f.get(null);
            Tensor copy = Tensor.allocate(DType.FLOAT32, x.shape());
            for (long i = 0; i < x.count(); i++) {
                copy.setDouble(i, i == 7 ? Double.NaN : x.getDouble(i));
            }
            TensorIO.write(copy, logits);
        }
        String[] base = {"eval", "--logits", logits.toString(), "--targets", CASE.resolve("targets.npy").toString(),
            "--weights", CASE.resolve("weights.npy").toString()};
        Path ref = tmp.resolve("ref.npy");
        Path golden = tmp.resolve("golden.json");
        Cli write = Cli.run(concat(base, "--out", ref.toString(), "--expect-stats", golden.toString(), "--json"));
        JsonNode written = EvalCommandTest.STRICT.readTree(write.out);
        assertEquals("NaN", written.get("loss").get("sum").textValue(), "a NaN figure is a string in strict JSON");
        assertEquals("NaN", EvalCommandTest.STRICT.readTree(golden.toFile()).get("loss").get("sum").textValue());

        Cli strict = Cli.run(concat(base, "--expect", ref.toString(), "--expect-stats", golden.toString(), "--json"));
        assertEquals(1, strict.code, strict.toString());
        JsonNode checks = EvalCommandTest.STRICT.readTree(strict.out).get("checks");
        assertFalse(checks.get("expect").get("close").asBoolean());
        assertEquals(1, checks.get("expect").get("nan_vs_nan").asLong());
        assertFalse(checks.get("expect_stats").get("close").asBoolean());
        assertEquals("loss.sum", checks.get("expect_stats").get("mismatches").get(0).get("field").asText());

        Cli equal = Cli.run(concat(base, "--expect", ref.toString(), "--expect-stats", golden.toString(), "--equal-nan"));
        assertEquals(0, equal.code, equal.toString());
    }

    /** A golden written before summaries were strict JSON (bare NaN tokens) is still read and matched. */
    @Test
    void aGoldenWithBareNanTokensStillMatches() throws Exception {
        Path golden = tmp.resolve("golden.json");
        // A case with no ignored anchor: its means are undefined (null now, NaN before).
        String[] args = {"eval", "--logits", CASE.resolve("logits.npy").toString(), "--targets",
            CASE.resolve("targets.npy").toString()};
        Cli.run(concat(args, "--expect-stats", golden.toString()));
        JsonNode now = EvalCommandTest.STRICT.readTree(golden.toFile());
        assertTrue(now.get("ignored").get("loss_mean").isNull(), now.toString());
        String legacy = Files.readString(golden).replaceAll("(\"(loss_mean|focal_mean|share)\" : )null", "$1NaN");
        assertTrue(legacy.contains("NaN"), legacy);
        Files.writeString(golden, legacy);
        Cli r = Cli.run(concat(args, "--expect-stats", golden.toString()));
        assertEquals(0, r.code, r.toString());
    }

    /** --fail-on-nonfinite: a NaN or infinite loss anywhere fails, naming the first of each. */
    @Test
    void failOnNonFiniteNamesTheFirstNanAndInfinity() throws Exception {
        Path weights = tmp.resolve("weights.npy");
        Path logits = tmp.resolve("logits.npy");
        try (TensorFile w = TensorIO.open(CASE.resolve("weights.npy").toString());
             TensorFile x = TensorIO.open(CASE.resolve("logits.npy").toString())) {
            Tensor wt = w.get(null);
            Tensor wc = Tensor.allocate(DType.FLOAT32, wt.shape());
            for (long i = 0; i < wt.count(); i++) {
                // anchor [1, 3]: an infinite weight on a finite loss is an infinite loss
                wc.setDouble(i, i == 53 ? Double.POSITIVE_INFINITY : wt.getDouble(i));
            }
            TensorIO.write(wc, weights);
            Tensor xt = x.get(null);
            Tensor xc = Tensor.allocate(DType.FLOAT32, xt.shape());
            for (long i = 0; i < xt.count(); i++) {
                // [0, 10, 2] and [1, 20, 0]: NaN logits
                xc.setDouble(i, i == 32 || i == 210 ? Double.NaN : xt.getDouble(i));
            }
            TensorIO.write(xc, logits);
        }
        Path junit = tmp.resolve("r.xml");
        Cli ok = Cli.run(eval("--fail-on-nonfinite", "--junit", junit.toString()));
        assertEquals(0, ok.code, ok.toString());
        assertTrue(validJUnit(junit).contains("name=\"loss is finite\""));

        Cli r = Cli.run("eval", "--logits", logits.toString(), "--targets", CASE.resolve("targets.npy").toString(),
                "--weights", weights.toString(), "--fail-on-nonfinite", "--junit", junit.toString(), "--json");
        assertEquals(1, r.code, r.toString());
        assertEquals("focal: the loss is not finite: 2 NaN (the first at [0, 10, 2]), 3 infinite (the first at"
                + " [1, 3, 0])\n", r.err);
        JsonNode check = EvalCommandTest.STRICT.readTree(r.out).get("checks").get("nonfinite");
        assertEquals(2, check.get("nan").asLong());
        assertEquals(3, check.get("inf").asLong());
        assertEquals("[0,10,2]", check.get("first_nan").toString());
        assertEquals("[1,3,0]", check.get("first_inf").toString());
        String xml = validJUnit(junit);
        assertTrue(xml.contains("failures=\"1\""), xml);
    }

    private static String[] concat(String[] base, String... extra) {
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    /** The report's text, after checking it against the common JUnit schema. */
    private static String validJUnit(Path junit) throws Exception {
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Path.of("src/test/resources/compare/junit.xsd").toFile())
                .newValidator().validate(new StreamSource(junit.toFile()));
        return Files.readString(junit);
    }

    @Test
    void junitReportHasOneCasePerCheckAndValidates() throws Exception {
        Path golden = tmp.resolve("golden.json");
        Cli.run(eval("--expect-stats", golden.toString()));
        Path junit = tmp.resolve("report.xml");
        Cli r = Cli.run(eval("--expect", perturbedTorchLoss(5).toString(), "--expect-stats", golden.toString(),
                "--junit", junit.toString()));
        assertEquals(1, r.code, r.toString());
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Path.of("src/test/resources/compare/junit.xsd").toFile())
                .newValidator().validate(new StreamSource(junit.toFile()));
        String xml = Files.readString(junit);
        assertTrue(xml.contains("tests=\"2\"") && xml.contains("failures=\"1\""), xml);
        assertTrue(xml.contains("<failure"), xml);
    }

    @Test
    void usageAndInputErrors() {
        assertEquals(2, Cli.run(eval("--update")).code);
        assertEquals(2, Cli.run(eval("--junit", tmp.resolve("j.xml").toString())).code);
        assertEquals(2, Cli.run(eval("--expect", CASE.resolve("loss.npy").toString(), "--rtol", "0.1")).code);
        Cli clash = Cli.run(eval("--expect", CASE.resolve("loss.npy").toString(), "--junit",
                CASE.resolve("loss.npy").toString()));
        assertEquals(2, clash.code, clash.toString());
        Cli missing = Cli.run(eval("--expect", tmp.resolve("nope.npy").toString()));
        assertEquals(3, missing.code, missing.toString());
        assertTrue(missing.err.contains("nope.npy: no such file"), missing.err);
        Path broken = tmp.resolve("broken.json");
        Cli brokenGolden;
        try {
            Files.writeString(broken, "{\"loss\": ");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        brokenGolden = Cli.run(eval("--expect-stats", broken.toString()));
        assertEquals(3, brokenGolden.code, brokenGolden.toString());
        assertTrue(brokenGolden.err.startsWith("focal: " + broken + ": cannot read the golden summary"), brokenGolden.err);
    }
}
