package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes eval sees every day, and how it answers them: shape mismatches that name the flag the
 * user meant, and nonsense that is evaluated but warned about (--strict makes it a failure).
 */
class EvalGuidanceTest {
    static final Path CASE = Path.of("src/test/resources/eval/anchor_head");
    static final String LOGITS = CASE.resolve("logits.npy").toString();
    static final String TARGETS = CASE.resolve("targets.npy").toString();
    static final String WEIGHTS = CASE.resolve("weights.npy").toString();

    @TempDir
    Path tmp;

    /** The anchor-head case's tensor {@code from}, in another shape, dtype or with other values. */
    private Path derived(String from, String name, DType dtype, Shape shape, LongToDoubleFunction value) {
        Path out = tmp.resolve(name);
        Tensor t = Tensor.allocate(dtype, shape);
        try (TensorFile f = TensorIO.open(from)) {
            Tensor source = f.get(null);
            for (long i = 0; i < t.count(); i++) {
                t.setDouble(i, value == null ? source.getDouble(i) : value.applyAsDouble(i));
            }
        }
        TensorIO.write(t, out);
        return out;
    }

    @Test
    void integerLabelsGivenAsTargetsPointAtLabelsMode() {
        Path labels = derived(TARGETS, "labels.npy", DType.INT64, Shape.of(2, 50), i -> i % 4);
        Cli r = Cli.run("eval", "--logits", LOGITS, "--targets", labels.toString());
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: " + labels + ": targets have shape (2, 50) (int64) but logits have shape (2, 50, 3);"
                + " they must be identical; these look like anchor labels: use --labels " + labels
                + " --num-classes 3 (the logits hold 3 values per label)\n", r.err);
    }

    @Test
    void theHeadsRawOutputAgainstTargetsSaysReshape() {
        Path raw = derived(LOGITS, "cls_preds.npy", DType.FLOAT32, Shape.of(2, 5, 10, 3), null);
        Cli r = Cli.run("eval", "--logits", raw.toString(), "--targets", TARGETS);
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: " + TARGETS + ": targets have shape (2, 50, 3) (float32) but logits have shape"
                + " (2, 5, 10, 3); they must be identical; both hold 300 elements: the logits look like the head's"
                + " raw output; reshape them to the targets' shape, or give the labels with --labels FILE"
                + " --num-classes C, which reshapes them as the head does\n", r.err);
    }

    /** What a breakpoint in get_cls_layer_loss dumps: cls_preds beside box_cls_labels, in one bundle. */
    @Test
    void aBundleOfClsPredsAndLabelsIsLabelsMode() throws Exception {
        String bundle = "samples/anchor_head_labels.npz";
        Cli r = Cli.run("eval", bundle, "--num-classes", "3", "--json");
        assertEquals(0, r.code, r.toString());
        Cli explicit = Cli.run("eval", "--logits", "samples/anchor_head/cls_preds.npy", "--labels",
                "samples/anchor_head/box_cls_labels.npy", "--num-classes", "3", "--json");
        JsonNode fromBundle = EvalCommandTest.STRICT.readTree(r.out);
        JsonNode fromFiles = EvalCommandTest.STRICT.readTree(explicit.out);
        assertEquals(bundle + ":box_cls_labels", fromBundle.get("labels").get("file").asText());
        assertEquals(fromFiles.get("loss"), fromBundle.get("loss"));
        assertEquals(fromFiles.get("per_sample"), fromBundle.get("per_sample"));
        assertEquals(fromFiles.get("anchors"), fromBundle.get("anchors"));

        Cli missing = Cli.run("eval", bundle);
        assertEquals(2, missing.code, missing.toString());
        assertEquals("focal: " + bundle + " holds labels (box_cls_labels): give --num-classes C; its logits hold 3"
                + " values per label, so C = 3\n", missing.err);

        Cli wrong = Cli.run("eval", bundle, "--num-classes", "4");
        assertEquals(3, wrong.code, wrong.toString());
        assertTrue(wrong.err.endsWith("; C = 3 fits them (the logits hold 3 values per label)\n"), wrong.err);

        Cli targets = Cli.run("eval", "samples/anchor_head.npz", "--num-classes", "3");
        assertEquals(2, targets.code, targets.toString());
        assertEquals("focal: --num-classes only applies with --labels, or a BUNDLE holding labels (box_cls_labels,"
                + " point_cls_labels, labels)\n", targets.err);
    }

    @Test
    void doubtfulOptionsWarnAndStrictRefusesThem() throws Exception {
        Cli r = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS, "--gamma", "-1", "--alpha", "1.5", "--json");
        assertEquals(0, r.code, r.toString());
        List<String> lines = r.err.lines().toList();
        assertEquals(List.of(
                "focal: warning: --gamma -1 is negative: q^gamma then grows as an anchor gets easier, the opposite of"
                        + " focusing",
                "focal: warning: --alpha 1.5 is outside [0, 1]: one side's weight (alpha or 1 - alpha) is negative"),
                lines);
        JsonNode warnings = EvalCommandTest.STRICT.readTree(r.out).get("warnings");
        assertEquals(2, warnings.size());
        assertEquals(lines.get(1).substring("focal: warning: ".length()), warnings.get(1).asText());

        Path out = tmp.resolve("loss.npy");
        Cli strict = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS, "--gamma", "-1", "--strict",
                "--out", out.toString());
        assertEquals(2, strict.code, strict.toString());
        assertEquals("focal: --gamma -1 is negative: q^gamma then grows as an anchor gets easier, the opposite of"
                + " focusing (--strict)\n", strict.err);
        assertFalse(Files.exists(out));
    }

    @Test
    void swappedLogitsAndTargetsWarnTwiceAndStrictWritesNothing() throws Exception {
        Cli r = Cli.run("eval", "--logits", TARGETS, "--targets", LOGITS, "--json");
        assertEquals(0, r.code, r.toString());
        List<String> lines = r.err.lines().toList();
        assertEquals(2, lines.size(), r.err);
        assertTrue(lines.get(0).startsWith("focal: warning: " + LOGITS + ": targets range from -"), lines.get(0));
        assertTrue(lines.get(0).endsWith(", outside [0, 1]; one-hot or soft targets lie in [0, 1] (integer class"
                + " labels go to --labels FILE --num-classes C)"), lines.get(0));
        assertEquals("focal: warning: " + TARGETS + ": every logit is 0 or 1: these look like targets (are --logits"
                + " and --targets swapped?); logits are the head's raw output, before the sigmoid", lines.get(1));
        assertEquals(2, EvalCommandTest.STRICT.readTree(r.out).get("warnings").size());

        Path out = tmp.resolve("loss.npy");
        Path stats = tmp.resolve("stats.json");
        Cli strict = Cli.run("eval", "--logits", TARGETS, "--targets", LOGITS, "--strict", "--out", out.toString(),
                "--stats", stats.toString());
        assertEquals(3, strict.code, strict.toString());
        assertEquals(1, strict.err.lines().count(), strict.err);
        assertTrue(strict.err.endsWith("(--strict)\n"), strict.err);
        assertFalse(Files.exists(out), "no output is written when --strict fails");
        assertFalse(Files.exists(stats));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "no temporary file is left");
        }
    }

    @Test
    void everyAnchorIgnoredWarns() {
        Path zeros = derived(WEIGHTS, "zero_weights.npy", DType.FLOAT32, Shape.of(2, 50), i -> 0);
        Cli r = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS, "--weights", zeros.toString());
        assertEquals(0, r.code, r.toString());
        assertEquals("focal: warning: every anchor is ignored (all its weights are 0): the loss is 0 by construction;"
                + " check the weights\n", r.err);
    }

    @Test
    void aSaneRunHasNoWarnings() throws Exception {
        Cli r = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS, "--weights", WEIGHTS, "--json", "--strict");
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.err);
        assertEquals(0, EvalCommandTest.STRICT.readTree(r.out).get("warnings").size());
    }

    @Test
    void theTableSaysBothDtypesWhenTheyDiffer() {
        Path half = derived(LOGITS, "half.npy", DType.FLOAT16, Shape.of(2, 50, 3), null);
        Cli r = Cli.run("eval", "--logits", half.toString(), "--targets", TARGETS);
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("focal loss  gamma=2  alpha=0.25  shape=(2, 50, 3)  dtype=float32 (logits float16)"),
                r.out);
        Cli same = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS);
        assertTrue(same.out.startsWith("focal loss  gamma=2  alpha=0.25  shape=(2, 50, 3)  dtype=float32  weights="),
                same.out);
    }

    @Test
    void aNanOnAnIgnoredAnchorReadsAsEnglish() {
        // anchor [0, 0] of the case has weight 0 (ignored)
        Path weights = derived(WEIGHTS, "w.npy", DType.FLOAT32, Shape.of(2, 50), i -> i == 0 ? 0 : 1);
        Path logits = derived(LOGITS, "x.npy", DType.FLOAT32, Shape.of(2, 50, 3), null);
        Path nan = derived(logits.toString(), "nan.npy", DType.FLOAT32, Shape.of(2, 50, 3), null);
        Tensor t = TensorIO.read(new dev.focal.io.TensorRef(nan.toString(), null));
        Tensor copy = Tensor.allocate(DType.FLOAT32, t.shape());
        for (long i = 0; i < t.count(); i++) {
            copy.setDouble(i, i == 1 ? Double.NaN : t.getDouble(i));
        }
        TensorIO.write(copy, nan);
        Cli r = Cli.run("eval", "--logits", nan.toString(), "--targets", TARGETS, "--weights", weights.toString());
        assertTrue(r.out.contains("  first in an ignored anchor at [0, 0, 1] (logit nan)"), r.out);
    }

    @Test
    void compareWordsOneElementAndARoomyPass() {
        Path one = derived(LOGITS, "one.npy", DType.FLOAT32, Shape.of(1), i -> 0.5);
        Cli r = Cli.run("compare", one.toString(), one.toString());
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("close: yes \u2014 the 1 element is within rtol=1.3e-06, atol=1e-05\n"), r.out);
        assertTrue(r.out.contains("  every element is equal\n"), r.out);
        Path near = derived(LOGITS, "near.npy", DType.FLOAT32, Shape.of(1), i -> 0.5000001);
        Cli c = Cli.run("compare", one.toString(), near.toString());
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("  still passes with rtol >= 0.0 (at atol 1e-05) or atol >= 0.0 (at rtol 1.3e-06)\n"),
                c.out);
        assertFalse(c.out.contains("would pass"), c.out);
    }

    @Test
    void aReducedReferenceWithoutReductionSuggestsIt() {
        Path scalar = derived(LOGITS, "sum.npy", DType.FLOAT64, Shape.scalar(), i -> 1.0);
        Cli r = Cli.run("eval", "--logits", LOGITS, "--targets", TARGETS, "--expect", scalar.toString());
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.contains(scalar + " holds one value: give --reduction sum|mean|batch to check the reduced"
                + " loss"), r.err);
    }
}
