package dev.focal.cli;

import static dev.focal.cli.HeadModesTest.HEAD;
import static dev.focal.cli.HeadModesTest.assertClose;
import static dev.focal.cli.HeadModesTest.assertScalarClose;
import static dev.focal.cli.HeadModesTest.meta;
import static dev.focal.cli.HeadModesTest.npy;
import static dev.focal.cli.HeadModesTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --class-axis} (docs/semantics.md#class-axis) on TransFusion's raw class-first layout:
 * torch's TransFusion fixture (tools/oracle/head_oracle.py) holds the logits as the loss sees them,
 * (B, P, C); these tests give focal the same numbers as the head holds them, (B, C, P), and expect
 * torch's loss and loss_cls.
 */
class ClassAxisTest {
    private static final Path TF = HEAD.resolve("transfusion");

    @TempDir
    Path tmp;

    /** {@code t} (B, P, C) as (B, C, P), the same values: the head's layout before its permute(0, 2, 1). */
    private static Tensor classFirst(Tensor t) {
        long b = t.shape().dim(0);
        long p = t.shape().dim(1);
        long c = t.shape().dim(2);
        Tensor out = Tensor.allocate(t.dtype(), Shape.of(b, c, p));
        for (long i = 0; i < b; i++) {
            for (long j = 0; j < p; j++) {
                for (long k = 0; k < c; k++) {
                    out.setDouble((i * c + k) * p + j, t.getDouble((i * p + j) * c + k));
                }
            }
        }
        return out;
    }

    private Path write(String name, Tensor t) {
        Path p = tmp.resolve(name);
        TensorIO.write(t, p);
        return p;
    }

    private Path rawLogits() {
        return write("raw.npy", classFirst(npy(TF.resolve("cls_preds.npy"))));
    }

    private static String[] labelsArgs(Path logits, String... extra) {
        String[] base = {"eval", "--logits", logits.toString(), "--labels", TF.resolve("labels.npy").toString(),
            "--num-classes", "4", "--background", "last", "--normalize", "batch"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void rawTransfusionLogitsWithClassAxisOneGiveTorchsLoss() {
        JsonNode m = meta("transfusion");
        Path out = tmp.resolve("loss.npy");
        Cli r = Cli.run(labelsArgs(rawLogits(), "--class-axis", "1", "--json", "--out", out.toString()));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.isEmpty(), r.err);
        JsonNode s = parse(r.out);
        assertScalarClose("loss.sum vs torch float64 loss_cls", m.get("loss_cls_f64").asDouble(),
                s.get("loss").get("sum").asDouble(), HeadModesTest.SUM_RTOL, 0, "class axis vs torch f64");
        // The loss element of each logit, in the logits' (B, C, P) layout.
        assertClose("loss vs torch float32", classFirst(npy(TF.resolve("loss.npy"))), npy(out), HeadModesTest.F32_RTOL,
                HeadModesTest.F32_ATOL, "class axis loss vs torch f32");
        // A negative axis counts from the end, as numpy's.
        Cli neg = Cli.run(labelsArgs(rawLogits(), "--class-axis", "-2", "--json"));
        assertEquals(0, neg.code, neg.toString());
        assertEquals(s.get("loss").get("sum").asDouble(), parse(neg.out).get("loss").get("sum").asDouble());
    }

    @Test
    void rawLayoutWithoutTheOptionIsWarnedAbout() {
        Cli r = Cli.run(labelsArgs(rawLogits(), "--json"));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: warning: ") && r.err.contains("--class-axis 1")
                && r.err.contains("(2, 4, 40)"), r.err);
        assertTrue(parse(r.out).get("warnings").get(0).asText().contains("--class-axis 1"), r.out);
        Cli strict = Cli.run(labelsArgs(rawLogits(), "--strict"));
        assertEquals(3, strict.code, strict.toString());
        // The head's own layout draws no warning.
        Cli plain = Cli.run(labelsArgs(TF.resolve("cls_preds.npy"), "--json"));
        assertEquals(0, plain.code, plain.toString());
        assertTrue(plain.err.isEmpty(), plain.err);
    }

    @Test
    void classFirstTargetsAndWeightsMoveWithTheLogits() {
        JsonNode m = meta("transfusion");
        Path logits = rawLogits();
        Path targets = write("t.npy", classFirst(npy(TF.resolve("targets.npy"))));
        // (B, P) weights as the class-first loss meets them: (B, 1, P).
        Tensor w = npy(TF.resolve("weights.npy"));
        Path weights = write("w.npy", w.reshape(Shape.of(w.shape().dim(0), 1, w.shape().dim(1))));
        Path out = tmp.resolve("loss.npy");
        Cli r = Cli.run("eval", "--logits", logits.toString(), "--targets", targets.toString(), "--weights",
                weights.toString(), "--class-axis", "1", "--json", "--out", out.toString());
        assertEquals(0, r.code, r.toString());
        assertScalarClose("loss.sum vs torch float64 loss_cls", m.get("loss_cls_f64").asDouble(),
                parse(r.out).get("loss").get("sum").asDouble(), HeadModesTest.SUM_RTOL, 0, "class axis vs torch f64");
        assertClose("loss vs torch float32", classFirst(npy(TF.resolve("loss.npy"))), npy(out), HeadModesTest.F32_RTOL,
                HeadModesTest.F32_ATOL, "class axis loss vs torch f32");
        assertEquals(DType.FLOAT32, npy(out).dtype());
    }

    /**
     * --out, --grad-out and what --expect checks hold each logit's element where the logit is,
     * whether the targets are class-first too or already class-last: the class-first layout of
     * the run on the head's own (B, P, C) layout, bit for bit.
     */
    @Test
    void perElementOutputsKeepTheLogitsLayout() {
        Path logits = rawLogits();
        String weights = TF.resolve("weights.npy").toString();
        for (String dtype : new String[] {"float32", "float64"}) {
            Path lossLast = tmp.resolve("loss_last.npy");
            Path gradLast = tmp.resolve("grad_last.npy");
            Cli last = Cli.run("eval", "--logits", TF.resolve("cls_preds.npy").toString(), "--targets",
                    TF.resolve("targets.npy").toString(), "--weights", weights, "--out", lossLast.toString(),
                    "--grad-out", gradLast.toString(), "--out-dtype", dtype, "--quiet");
            assertEquals(0, last.code, last.toString());
            Path loss = tmp.resolve("loss.npy");
            Path grad = tmp.resolve("grad.npy");
            Cli first = Cli.run("eval", "--logits", logits.toString(), "--targets",
                    TF.resolve("targets.npy").toString(), "--weights", weights, "--class-axis", "1", "--out",
                    loss.toString(), "--grad-out", grad.toString(), "--out-dtype", dtype, "--quiet");
            assertEquals(0, first.code, first.toString());
            for (Path[] pair : new Path[][] {{lossLast, loss}, {gradLast, grad}}) {
                Tensor want = classFirst(npy(pair[0]));
                Tensor got = npy(pair[1]);
                assertEquals(want.shape(), got.shape(), pair[1].toString());
                assertEquals(DType.byName(dtype), got.dtype());
                for (long i = 0; i < want.count(); i++) {
                    assertEquals(want.getDouble(i), got.getDouble(i), dtype + " " + pair[1] + " element " + i);
                }
            }
        }
        Path expect = write("expect.npy", classFirst(npy(TF.resolve("loss.npy"))));
        Cli checked = Cli.run("eval", "--logits", logits.toString(), "--targets", TF.resolve("targets.npy").toString(),
                "--weights", weights, "--class-axis", "1", "--expect", expect.toString(), "--rtol", "1e-5", "--atol",
                "0", "--quiet");
        assertEquals(0, checked.code, checked.toString());
    }

    @Test
    void classLastTargetsBesideClassFirstLogitsNameTheAxis() {
        JsonNode m = meta("transfusion");
        Path logits = rawLogits();
        String targets = TF.resolve("targets.npy").toString();
        Cli refused = Cli.run("eval", "--logits", logits.toString(), "--targets", targets);
        assertEquals(3, refused.code, refused.toString());
        assertTrue(refused.err.contains("give --class-axis 1") && refused.err.contains("(2, 40, 4)")
                && refused.err.contains("(2, 4, 40)") && refused.err.lines().count() == 1, refused.err);
        // Given the axis, the logits move to meet the targets, and the (B, P) weights broadcast as the head's do.
        Cli r = Cli.run("eval", "--logits", logits.toString(), "--targets", targets, "--weights",
                TF.resolve("weights.npy").toString(), "--class-axis", "1", "--json");
        assertEquals(0, r.code, r.toString());
        assertScalarClose("loss.sum vs torch float64 loss_cls", m.get("loss_cls_f64").asDouble(),
                parse(r.out).get("loss").get("sum").asDouble(), HeadModesTest.SUM_RTOL, 0, "class axis vs torch f64");
    }

    @Test
    void anAxisOutOfRangeIsAUsageError() {
        Cli r = Cli.run(labelsArgs(rawLogits(), "--class-axis", "3"));
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.contains("--class-axis 3 is out of range") && r.err.contains("(2, 4, 40)"), r.err);
        Cli neg = Cli.run(labelsArgs(rawLogits(), "--class-axis", "-4"));
        assertEquals(2, neg.code, neg.toString());
    }
}
