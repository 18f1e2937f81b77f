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
        assertEquals(0, first.code, first.toString());
        assertTrue(first.err.contains("golden summary written"), first.err);
        assertTrue(Files.exists(golden));
        // The golden holds torch's sum (within float32 tolerance): what was written is the real summary.
        double torchSum = JSON.readTree(CASE.resolve("expected.json").toFile()).get("loss").get("sum").asDouble();
        assertEquals(torchSum, JSON.readTree(golden.toFile()).get("loss").get("sum").asDouble(), 1e-6 * Math.abs(torchSum));

        Cli same = Cli.run(eval("--expect-stats", golden.toString()));
        assertEquals(0, same.code, same.toString());
        assertTrue(same.out.contains("summary matches"), same.out);

        Cli changed = Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5"));
        assertEquals(1, changed.code, changed.toString());
        assertTrue(changed.out.contains("gamma: golden 2.0, now 2.5"), changed.out);
        assertTrue(changed.out.contains("loss.sum: golden"), changed.out);

        Cli update = Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5", "--update"));
        assertEquals(0, update.code, update.toString());
        assertTrue(update.err.contains("golden summary updated"), update.err);
        assertEquals(0, Cli.run(eval("--expect-stats", golden.toString(), "--gamma", "2.5")).code);
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
