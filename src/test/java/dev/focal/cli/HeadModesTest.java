package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code focal eval --labels} (issue 4) against fixtures from real PyTorch:
 * tools/oracle/head_oracle.py re-implements OpenPCDet's anchor-head (C = 3, class-agnostic C = 1,
 * multi-head pos/neg weights), point-head and TransFusion classification losses in torch and writes,
 * per case under src/test/resources/head/, the raw head output, the labels, torch's per-element loss
 * (float32 and float64, times the loss weight), the one-hot targets and weights torch built, and
 * expected.json (rpn_loss_cls / point_loss_cls / loss_cls from torch, per-sample counts from numpy).
 * Every expected value here comes from those files; none is computed by focal.
 */
class HeadModesTest {
    static final Path HEAD = Path.of("src/test/resources/head");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** torch.testing.assert_close defaults for float32. */
    static final double F32_RTOL = 1.3e-6;
    static final double F32_ATOL = 1e-5;
    /** Our float32 loss against torch's float64 loss: float32 rounding only. */
    static final double F64_RTOL = 1e-6;
    /** Our float64 loss (--out-dtype float64) against torch's float64 loss. */
    static final double F64_TIGHT_RTOL = 1e-10;
    /** Sums (ours in double with compensation) against torch's float64 sums. */
    static final double SUM_RTOL = 1e-10;

    static final Map<String, Double> MAX_DIFF = new ConcurrentHashMap<>();

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------------------ fixtures

    static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> cases(java.util.function.Predicate<JsonNode> which) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : readJson(HEAD.resolve("index.json")).get("cases")) {
            if (which.test(meta(n.asText()))) {
                names.add(n.asText());
            }
        }
        assertFalse(names.isEmpty(), "no fixture cases selected");
        return names;
    }

    static JsonNode meta(String name) {
        return readJson(HEAD.resolve(name).resolve("expected.json"));
    }

    static boolean isRefused(JsonNode m) {
        return m.path("refused").asBoolean(false);
    }

    static boolean isBig(JsonNode m) {
        return m.path("big").asBoolean(false);
    }

    static Tensor npy(Path p) {
        try (TensorFile f = TensorIO.open(p.toString())) {
            return f.get(null);
        }
    }

    static List<String> args(JsonNode m) {
        List<String> a = new ArrayList<>();
        for (JsonNode n : m.get("args")) {
            a.add(n.asText());
        }
        return a;
    }

    static List<String> evalArgs(Path dir, JsonNode m, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", "--logits", dir.resolve("cls_preds.npy").toString(),
                "--labels", dir.resolve("labels.npy").toString()));
        a.addAll(args(m));
        a.addAll(List.of(extra));
        return a;
    }

    static Cli run(List<String> args) {
        return Cli.run(args.toArray(new String[0]));
    }

    // ------------------------------------------------------------------------------ comparisons

    static void record(String kind, double v) {
        MAX_DIFF.merge(kind, v, Math::max);
    }

    /** assert_close per element: |a - e| <= atol + rtol * |e|; records the largest |a - e| and |a - e|/|e|. */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol, String kind) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), what + ": shape");
        List<String> bad = new ArrayList<>();
        double maxAbs = 0;
        double maxRel = 0;
        for (long i = 0; i < expected.count(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            assertTrue(Double.isFinite(e), what + ": fixture value not finite at " + i);
            double d = Math.abs(a - e);
            maxAbs = Math.max(maxAbs, d);
            if (e != 0) {
                maxRel = Math.max(maxRel, d / Math.abs(e));
            }
            if (!(d <= atol + rtol * Math.abs(e)) && bad.size() < 8) {
                bad.add(Arrays.toString(expected.shape().unravel(i)) + " torch " + e + " ours " + a);
            }
        }
        record(kind + " max abs", maxAbs);
        record(kind + " max rel", maxRel);
        if (!bad.isEmpty()) {
            fail(what + ": not within rtol " + rtol + ", atol " + atol + " of torch: " + String.join("; ", bad));
        }
    }

    static void assertScalarClose(String what, double expected, double actual, double rtol, double atol, String kind) {
        assertTrue(Double.isFinite(actual), what + ": torch " + expected + ", ours " + actual);
        double d = Math.abs(actual - expected);
        record(kind + " abs", d);
        record(kind + " rel", d / Math.abs(expected));
        assertTrue(d <= atol + rtol * Math.abs(expected),
                what + ": torch " + expected + ", ours " + actual + " (diff " + d + ")");
    }

    /** The head's logged loss: rpn_loss_cls is loss.per_batch, point_loss_cls and loss_cls are loss.sum. */
    static void assertHeadLoss(String name, JsonNode m, JsonNode loss) {
        switch (m.get("kind").asText()) {
            case "anchor":
                assertScalarClose(name + " loss.per_batch vs torch float32 rpn_loss_cls",
                        m.get("rpn_loss_cls_f32").asDouble(), loss.get("per_batch").asDouble(), F32_RTOL, F32_ATOL,
                        "head loss vs torch f32");
                assertScalarClose(name + " loss.per_batch vs torch float64 rpn_loss_cls",
                        m.get("rpn_loss_cls_f64").asDouble(), loss.get("per_batch").asDouble(), SUM_RTOL, 0,
                        "head loss vs torch f64");
                break;
            case "point":
                assertScalarClose(name + " loss.sum vs torch float32 point_loss_cls",
                        m.get("point_loss_cls_f32").asDouble(), loss.get("sum").asDouble(), F32_RTOL, F32_ATOL,
                        "head loss vs torch f32");
                assertScalarClose(name + " loss.sum vs torch float64 point_loss_cls",
                        m.get("point_loss_cls_f64").asDouble(), loss.get("sum").asDouble(), SUM_RTOL, 0,
                        "head loss vs torch f64");
                break;
            case "transfusion":
                for (String k : new String[] {"loss_cls", "loss_cls_sum_then_divide"}) {
                    assertScalarClose(name + " loss.sum vs torch float32 " + k, m.get(k + "_f32").asDouble(),
                            loss.get("sum").asDouble(), F32_RTOL, F32_ATOL, "head loss vs torch f32");
                }
                assertScalarClose(name + " loss.sum vs torch float64 loss_cls", m.get("loss_cls_f64").asDouble(),
                        loss.get("sum").asDouble(), SUM_RTOL, 0, "head loss vs torch f64");
                // Summing first and dividing by max(num_pos, 1) in float64 skips the float32 rounding
                // of the weight 1 / max(num_pos, 1) that the derived float32 weights carry: half a
                // float32 ulp apart at most.
                assertScalarClose(name + " loss.sum vs torch float64 loss_cls (sum, then divide)",
                        m.get("loss_cls_sum_then_divide_f64").asDouble(), loss.get("sum").asDouble(), 6e-8, 0,
                        "transfusion sum-then-divide vs torch f64");
                break;
            default:
                fail("unknown kind " + m.get("kind"));
        }
    }

    static void assertPerSample(String name, JsonNode expected, JsonNode actual, boolean lossSums) {
        assertTrue(actual != null && actual.isArray(), name + ": no per_sample in the summary");
        assertEquals(expected.size(), actual.size(), name + ": per_sample length");
        for (int b = 0; b < expected.size(); b++) {
            JsonNode e = expected.get(b);
            JsonNode a = actual.get(b);
            for (String f : new String[] {"positives", "negatives", "ignored"}) {
                assertTrue(a.get(f).isIntegralNumber(), name + " per_sample[" + b + "]." + f + " is not an integer");
                assertEquals(e.get(f).asLong(), a.get(f).asLong(), name + " per_sample[" + b + "]." + f);
            }
            assertEquals(e.get("normalizer").asDouble(), a.get("normalizer").asDouble(),
                    name + " per_sample[" + b + "].normalizer");
            if (lossSums) {
                assertScalarClose(name + " per_sample[" + b + "].loss_sum", e.get("loss_sum").asDouble(),
                        a.get("loss_sum").asDouble(), SUM_RTOL, 1e-300, "per-sample loss_sum vs torch f64");
            }
        }
    }

    // ------------------------------------------------------------------------------ accepted cases

    @TestFactory
    Stream<DynamicTest> derivedTargetsWeightsAndLossMatchTorch() {
        return cases(m -> !isRefused(m) && !isBig(m)).stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path dir = HEAD.resolve(name);
            JsonNode m = meta(name);
            Path dirOut = Files.createDirectory(tmp.resolve(name));
            Path loss = dirOut.resolve("loss.npy");
            Path t = dirOut.resolve("t.npy");
            Path w = dirOut.resolve("w.npy");
            Cli r = run(evalArgs(dir, m, "--json", "--out", loss.toString(), "--write-targets", t.toString(),
                    "--write-weights", w.toString()));
            assertEquals(0, r.code, r.toString());

            // the per-element loss, shape (B, A, C) / (N, C)
            Tensor ours = npy(loss);
            assertEquals(DType.FLOAT32, ours.dtype(), name + ": float32 inputs give a float32 loss");
            assertClose(name + " loss vs torch float32", npy(dir.resolve("loss.npy")), ours, F32_RTOL, F32_ATOL,
                    "loss vs torch f32");
            assertClose(name + " loss vs torch float64", npy(dir.resolve("loss_f64.npy")), ours, F64_RTOL, 0,
                    "loss (float32 out) vs torch f64");

            // derived targets: exactly torch's one-hot
            Tensor et = npy(dir.resolve("targets.npy"));
            Tensor at = npy(t);
            assertEquals(DType.FLOAT32, at.dtype(), name + ": targets dtype");
            assertArrayEquals(et.shape().dims(), at.shape().dims(), name + ": targets shape");
            for (long i = 0; i < et.count(); i++) {
                if (et.getDouble(i) != at.getDouble(i)) {
                    fail(name + ": target at " + Arrays.toString(et.shape().unravel(i)) + " torch " + et.getDouble(i)
                            + " ours " + at.getDouble(i));
                }
            }
            // derived weights: bit for bit torch's float32 division
            Tensor ew = npy(dir.resolve("weights.npy"));
            Tensor aw = npy(w);
            assertEquals(DType.FLOAT32, aw.dtype(), name + ": weights dtype");
            assertArrayEquals(ew.shape().dims(), aw.shape().dims(), name + ": weights shape");
            for (long i = 0; i < ew.count(); i++) {
                if (ew.rawBits(i) != aw.rawBits(i)) {
                    fail(name + ": weight at " + Arrays.toString(ew.shape().unravel(i)) + " torch " + ew.getDouble(i)
                            + " ours " + aw.getDouble(i));
                }
            }

            JsonNode s = parse(r.out);
            assertArrayEquals(longs(m.get("shape")), longs(s.get("shape")), name + ": summary shape");
            assertEquals(m.get("loss_weight").asDouble(), s.get("loss_weight").asDouble(), name + ": loss_weight");
            assertEquals("derived", s.get("weights").asText());
            assertHeadLoss(name, m, s.get("loss"));
            assertScalarClose(name + " loss.sum vs torch float64 sum", m.get("sum_f64").asDouble(),
                    s.get("loss").get("sum").asDouble(), SUM_RTOL, 0, "loss.sum vs torch f64");
            assertPerSample(name, m.get("per_sample"), s.get("per_sample"), true);
            JsonNode anchors = m.get("anchors");
            for (String k : new String[] {"positive", "negative", "ignored"}) {
                assertEquals(anchors.get(k).asLong(), s.get("anchors").get(k).asLong(), name + ": anchors." + k);
            }
            JsonNode labels = s.get("labels");
            List<String> a = args(m);
            assertEquals(Integer.parseInt(a.get(a.indexOf("--num-classes") + 1)), labels.get("num_classes").asInt());
            assertEquals(m.get("kind").asText().equals("transfusion") ? "last" : "first",
                    labels.get("background").asText());
            assertEquals(a.get(a.indexOf("--normalize") + 1), labels.get("normalize").asText());
        }));
    }

    @TestFactory
    Stream<DynamicTest> float64OutputMatchesTorchFloat64() {
        return cases(m -> !isRefused(m) && !isBig(m)).stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path dir = HEAD.resolve(name);
            Path loss = tmp.resolve(name + "_f64.npy");
            Cli r = run(evalArgs(dir, meta(name), "--json", "--out", loss.toString(), "--out-dtype", "float64"));
            assertEquals(0, r.code, r.toString());
            Tensor ours = npy(loss);
            assertEquals(DType.FLOAT64, ours.dtype());
            assertClose(name + " float64 loss vs torch float64", npy(dir.resolve("loss_f64.npy")), ours,
                    F64_TIGHT_RTOL, 0, "loss (float64 out) vs torch f64");
        }));
    }

    @Test
    void defaultNormalizeIsPerSampleAndDefaultWeightsAreOne() {
        // anchor_c3's expected values were made with --normalize per-sample and no pos/neg weights:
        // leaving --normalize out must give the same targets, weights and rpn_loss_cls.
        Path dir = HEAD.resolve("anchor_c3");
        JsonNode m = meta("anchor_c3");
        Path w = tmp.resolve("w.npy");
        Cli r = run(List.of("eval", "--logits", dir.resolve("cls_preds.npy").toString(), "--labels",
                dir.resolve("labels.npy").toString(), "--num-classes", "3", "--loss-weight", "2.0", "--json",
                "--write-weights", w.toString()));
        assertEquals(0, r.code, r.toString());
        JsonNode s = parse(r.out);
        assertEquals("per-sample", s.get("labels").get("normalize").asText());
        assertEquals("first", s.get("labels").get("background").asText());
        assertHeadLoss("anchor_c3 (defaults)", m, s.get("loss"));
        Tensor ew = npy(dir.resolve("weights.npy"));
        Tensor aw = npy(w);
        for (long i = 0; i < ew.count(); i++) {
            assertEquals(ew.rawBits(i), aw.rawBits(i), "weight " + i);
        }
    }

    @Test
    void classAgnosticAcceptsEveryPositiveLabel() {
        // --num-classes 1: labels 2 and 3 exceed C but count as the one class (the reference's rule).
        Path dir = HEAD.resolve("anchor_c1_agnostic");
        Tensor labels = npy(dir.resolve("labels.npy"));
        boolean[] seen = new boolean[4];
        for (long i = 0; i < labels.count(); i++) {
            long v = labels.getLong(i);
            if (v >= 0 && v <= 3) {
                seen[(int) v] = true;
            }
        }
        assertTrue(seen[2] && seen[3], "the fixture must hold labels 2 and 3");
        assertEquals(DType.INT32, labels.dtype());
        Path t = tmp.resolve("t.npy");
        Cli r = run(evalArgs(dir, meta("anchor_c1_agnostic"), "--json", "--write-targets", t.toString()));
        assertEquals(0, r.code, r.toString());
        Tensor et = npy(dir.resolve("targets.npy"));
        Tensor at = npy(t);
        assertArrayEquals(new long[] {labels.shape().dim(0), labels.shape().dim(1), 1}, at.shape().dims());
        for (long i = 0; i < et.count(); i++) {
            assertEquals(et.getDouble(i), at.getDouble(i), "target " + i);
            assertEquals(labels.getLong(i) > 0 ? 1.0 : 0.0, at.getDouble(i), "target " + i);
        }
    }

    @Test
    void transfusionNormalisesByTheWholeBatch() {
        // Both samples share one normaliser: the positives of the batch (numpy count in the fixture).
        JsonNode m = meta("transfusion");
        Cli r = run(evalArgs(HEAD.resolve("transfusion"), m, "--json"));
        assertEquals(0, r.code, r.toString());
        JsonNode ps = parse(r.out).get("per_sample");
        long total = m.get("anchors").get("positive").asLong();
        assertEquals(2, ps.size());
        assertEquals(total, ps.get(0).get("positives").asLong() + ps.get(1).get("positives").asLong());
        for (JsonNode s : ps) {
            assertEquals((double) total, s.get("normalizer").asDouble());
        }
    }

    @Test
    void tableShowsThePerSampleCounts() {
        JsonNode m = meta("anchor_multihead_f32_labels");
        Cli r = run(evalArgs(HEAD.resolve("anchor_multihead_f32_labels"), m));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("normalize=per-sample"), r.out);
        assertTrue(r.out.contains("pos_weight=2") && r.out.contains("neg_weight=0.5"), r.out);
        JsonNode ps = m.get("per_sample");
        for (int b = 0; b < ps.size(); b++) {
            JsonNode e = ps.get(b);
            String row = "(?m)^\\s*" + b + "\\s+" + e.get("positives").asLong() + "\\s+" + e.get("negatives").asLong()
                    + "\\s+" + e.get("ignored").asLong() + "\\s+.*$";
            assertTrue(java.util.regex.Pattern.compile(row).matcher(r.out).find(),
                    "no per-sample row " + b + " with counts " + e + " in:\n" + r.out);
        }
    }

    // ------------------------------------------------------------------------------ refusals

    @TestFactory
    Stream<DynamicTest> refusedInputs() {
        return cases(HeadModesTest::isRefused).stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path dir = HEAD.resolve(name);
            JsonNode m = meta(name);
            Path out = tmp.resolve(name + "_loss.npy");
            Cli r = run(evalArgs(dir, m, "--json", "--out", out.toString()));
            assertEquals(m.get("exit").asInt(), r.code, name + " (" + m.get("note").asText() + "): " + r);
            String err = r.err;
            for (JsonNode f : m.get("message_contains")) {
                assertTrue(err.contains(f.asText()), name + ": message does not name '" + f.asText() + "': " + err);
            }
            assertTrue(err.startsWith("focal: "), err);
            assertEquals("", r.out, name + ": nothing on stdout");
            assertFalse(Files.exists(out), name + ": no output written");
        }));
    }

    @Test
    void labelsWithTargetsIsAUsageError() {
        Path dir = HEAD.resolve("anchor_c3");
        Cli r = Cli.run("eval", "--logits", dir.resolve("cls_preds.npy").toString(), "--labels",
                dir.resolve("labels.npy").toString(), "--num-classes", "3", "--targets",
                dir.resolve("targets.npy").toString());
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.contains("--targets"), r.err);
    }

    @Test
    void labelsWithWeightsIsAUsageError() {
        Path dir = HEAD.resolve("anchor_c3");
        Cli r = Cli.run("eval", "--logits", dir.resolve("cls_preds.npy").toString(), "--labels",
                dir.resolve("labels.npy").toString(), "--num-classes", "3", "--weights",
                dir.resolve("weights.npy").toString());
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.contains("--weights"), r.err);
    }

    @Test
    void labelsWithoutNumClassesIsAUsageError() {
        Path dir = HEAD.resolve("anchor_c3");
        Cli r = Cli.run("eval", "--logits", dir.resolve("cls_preds.npy").toString(), "--labels",
                dir.resolve("labels.npy").toString());
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.contains("--num-classes"), r.err);
    }

    // ------------------------------------------------------------------------------ the real head's shape

    static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** The oracle's big_inputs() formula (see tools/oracle/head_oracle.py). */
    static float bigLogit(long i) {
        int h = fmix32((int) (i * 2654435761L));
        return (float) (-4.59375 + ((h >>> 8) % 1024) / 128.0);
    }

    static long bigLabel(long j) {
        int g = fmix32((int) j ^ 0x5BD1E995);
        int r = (g >>> 8) % 1000;
        return r < 30 ? -1 : r < 40 ? 1 + (g >>> 20) % 3 : 0;
    }

    @Test
    void realHeadShapePrintsTorchsRpnLossCls() {
        JsonNode m = meta("big_anchor_head");
        long[] shape = longs(m.get("shape"));
        int classes = 3;
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(shape));
        double logitSum = 0;
        for (long i = 0; i < logits.count(); i++) {
            float v = bigLogit(i);
            logits.setDouble(i, v);
            logitSum += v;
        }
        long anchors = logits.count() / shape[0] / classes;
        Tensor labels = Tensor.allocate(DType.INT64, Shape.of(shape[0], anchors));
        long labelSum = 0;
        for (long j = 0; j < labels.count(); j++) {
            long v = bigLabel(j);
            labels.setDouble(j, v);
            labelSum += v;
        }
        // the generator reproduces the oracle's arrays
        m.get("logit_probe").properties().forEach(e ->
                assertEquals(e.getValue().asDouble(), logits.getDouble(Long.parseLong(e.getKey())), "logit " + e.getKey()));
        m.get("label_probe").properties().forEach(e ->
                assertEquals(e.getValue().asLong(), labels.getLong(Long.parseLong(e.getKey())), "label " + e.getKey()));
        assertEquals(m.get("label_sum").asLong(), labelSum);
        assertEquals(m.get("logit_sum_f64").asDouble(), logitSum, 1e-6);

        Path lp = tmp.resolve("cls_preds.npy");
        Path bp = tmp.resolve("box_cls_labels.npy");
        TensorIO.write(logits, lp);
        TensorIO.write(labels, bp);
        Cli r = Cli.run("eval", "--logits", lp.toString(), "--labels", bp.toString(), "--num-classes", "3", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode s = parse(r.out);
        assertArrayEquals(new long[] {shape[0], anchors, classes}, longs(s.get("shape")));
        double ours = s.get("loss").get("per_batch").asDouble();
        double torch32 = m.get("rpn_loss_cls_f32").asDouble();
        double torch64 = m.get("rpn_loss_cls_f64").asDouble();
        BIG.put("ours", ours);
        BIG.put("torch float32", torch32);
        BIG.put("torch float64", torch64);
        assertScalarClose("big rpn_loss_cls vs torch float32", torch32, ours, F32_RTOL, F32_ATOL, "big vs torch f32");
        assertScalarClose("big rpn_loss_cls vs torch float64", torch64, ours, SUM_RTOL, 0, "big vs torch f64");
        assertPerSample("big", m.get("per_sample"), s.get("per_sample"), false);

        // the table prints the same number
        Cli table = Cli.run("eval", "--logits", lp.toString(), "--labels", bp.toString(), "--num-classes", "3");
        assertEquals(0, table.code, table.toString());
        assertTrue(table.out.contains("per_batch="), table.out);
    }

    static final Map<String, Double> BIG = new ConcurrentHashMap<>();

    static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asLong();
        }
        return v;
    }

    @AfterAll
    static void report() {
        StringBuilder b = new StringBuilder("HeadModesTest largest differences vs torch:\n");
        new TreeMap<>(MAX_DIFF).forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-45s %.3e%n", k, v)));
        if (!BIG.isEmpty()) {
            b.append("  big case rpn_loss_cls: ").append(new TreeMap<>(BIG)).append('\n');
        }
        System.out.print(b);
    }
}
