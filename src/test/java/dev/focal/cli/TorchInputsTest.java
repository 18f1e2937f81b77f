package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a PyTorch user saves works in every verb: eval gives torch's loss on a torch.save bundle
 * and on a legacy checkpoint's head output and labels (tools/fixtures/torch_fixtures.py computes
 * both with tools/oracle/eval_oracle.py's reference), compare takes any pair of formats, and
 * members are named by their paths (docs/formats.md#member-paths).
 */
class TorchInputsTest {
    static final Path DIR = Path.of("src/test/resources/io/torch");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static JsonNode expected(String file) throws IOException {
        return JSON.readTree(DIR.resolve("eval/expected.json").toFile()).get(file);
    }

    private static void assertClose(double want, double got, String what) {
        assertTrue(Math.abs(got - want) <= 1e-6 * Math.abs(want), what + ": expected " + want + ", got " + got);
    }

    @Test
    void evalFindsTheBundleKeysAtTheTopOfAPtFile() throws IOException {
        Cli r = Cli.run("eval", DIR.resolve("eval/bundle.pt").toString(), "--json", "--quiet");
        assertEquals(0, r.code, r.toString());
        assertClose(expected("bundle.pt").get("sum").asDouble(), JSON.readTree(r.out).get("loss").get("sum").asDouble(),
                "loss.sum");
    }

    @Test
    void evalReadsAHeadsFloat16OutputAndLabelsFromALegacyCheckpoint() throws IOException {
        String ckpt = DIR.resolve("eval/ckpt.pth").toString();
        Cli r = Cli.run("eval", "--logits", ckpt + ":cls_preds", "--labels", ckpt + ":box_cls_labels",
                "--num-classes", "3", "--json", "--quiet");
        assertEquals(0, r.code, r.toString());
        JsonNode loss = JSON.readTree(r.out).get("loss");
        assertClose(expected("ckpt.pth").get("per_batch").asDouble(), loss.get("per_batch").asDouble(), "per_batch");
        assertClose(expected("ckpt.pth").get("sum").asDouble(), loss.get("sum").asDouble(), "sum");
    }

    @Test
    void compareTakesAnyPairOfFormats() {
        String[][] pairs = {
            {"dict.pt:cls_preds", "dict_legacy.pt:cls_preds"},
            {"nested.pt:head/cls_preds", "expected/nested__head__cls_preds.npy"},
            {"arrays_p2.pkl:logits", "object_dict.npy:logits"},
            {"checkpoint_epoch_80.pth:model_state/dense_head.conv_cls.bias",
                "expected/checkpoint_epoch_80__model_state__dense_head.conv_cls.bias.npy"},
        };
        for (String[] p : pairs) {
            Cli r = Cli.run("compare", DIR + "/" + p[0], DIR + "/" + p[1]);
            assertEquals(0, r.code, String.join(" ", p) + ": " + r);
        }
    }

    @Test
    void inspectListsEveryTensorByPathAndSkipsOtherLeaves() throws IOException {
        Cli r = Cli.run("inspect", "--json", DIR.resolve("nested.pt").toString());
        assertEquals(0, r.code, r.toString());
        StringBuilder names = new StringBuilder();
        for (JsonNode t : JSON.readTree(r.out)) {
            names.append(t.get("name").asText().replace(DIR + "/", "")).append(' ');
        }
        assertEquals("nested.pt:head/cls_preds nested.pt:head/box_cls_labels nested.pt:aux/0 nested.pt:aux/1/0"
                + " nested.pt:aux/1/1 nested.pt:param ", names.toString(), "meta's numbers, strings and None are skipped");
    }

    @Test
    void aMissingPathListsWhatTheFileHas() {
        Cli r = Cli.run("inspect", DIR.resolve("dict.pt") + ":logits");
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: " + DIR.resolve("dict.pt") + ": no tensor 'logits' (has: cls_preds, box_cls_labels)\n",
                r.err);
    }

    @Test
    void convertWidensBfloat16ToWhatNumpyWritesForTheFloatTensor() throws IOException {
        Path out = tmp.resolve("b.npy");
        Cli r = Cli.run("convert", DIR.resolve("dtypes.pt") + ":bfloat16", out.toString());
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: note: ") && r.err.contains("is bfloat16"), r.err);
        assertArrayEquals(Files.readAllBytes(DIR.resolve("expected/dtypes__bfloat16.npy")), Files.readAllBytes(out));
    }
}
