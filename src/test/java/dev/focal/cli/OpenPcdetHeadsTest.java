package dev.focal.cli;

import static dev.focal.cli.HeadModesTest.F32_ATOL;
import static dev.focal.cli.HeadModesTest.F32_RTOL;
import static dev.focal.cli.HeadModesTest.SUM_RTOL;
import static dev.focal.cli.HeadModesTest.assertClose;
import static dev.focal.cli.HeadModesTest.assertScalarClose;
import static dev.focal.cli.HeadModesTest.npy;
import static dev.focal.cli.HeadModesTest.parse;
import static dev.focal.cli.HeadModesTest.readJson;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heads checked against OpenPCDet's own code: tools/oracle/openpcdet_oracle.py imports commit
 * 8caccce's AnchorHeadMulti.get_cls_layer_loss (separate and shared multi-heads), TransFusionHead.loss
 * (raw (B, C, P) class logits), PointHeadTemplate and SigmoidFocalClassificationLoss, and records
 * what they logged and returned under src/test/resources/openpcdet/. No expected value here is focal's.
 */
class OpenPcdetHeadsTest {
    static final Path DIR = Path.of("src/test/resources/openpcdet");

    @TempDir
    Path tmp;

    static JsonNode meta(String name) {
        return readJson(DIR.resolve(name).resolve("expected.json"));
    }

    static List<String> cases(String kind) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : readJson(DIR.resolve("index.json")).get("cases")) {
            if (meta(n.asText()).get("kind").asText().equals(kind)) {
                names.add(n.asText());
            }
        }
        assertFalse(names.isEmpty(), "no " + kind + " cases");
        return names;
    }

    /** The case's arguments, its files resolved in its folder. */
    static List<String> args(String name, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval"));
        String previous = "";
        for (JsonNode n : meta(name).get("args")) {
            String v = n.asText();
            boolean file = previous.equals("--logits") || previous.equals("--labels") || previous.equals("--targets")
                    || previous.equals("--weights");
            a.add(file ? DIR.resolve(name).resolve(v).toString() : v);
            previous = v;
        }
        a.addAll(List.of(extra));
        return a;
    }

    static Cli run(List<String> args) {
        return Cli.run(args.toArray(new String[0]));
    }

    @TestFactory
    Stream<DynamicTest> headLossIsTheLoggedNumber() {
        List<String> names = new ArrayList<>(cases("multihead"));
        names.addAll(cases("transfusion"));
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            JsonNode m = meta(name);
            Path out = tmp.resolve(name + ".npy");
            Cli r = run(args(name, "--json", "--out", out.toString()));
            assertEquals(0, r.code, r.toString());
            assertTrue(r.err.isEmpty(), r.err);
            JsonNode s = parse(r.out);
            double head = s.get("loss").get("head").asDouble();
            String logged = m.get("logged_as").asText();
            assertScalarClose(name + " loss.head vs OpenPCDet's float32 " + logged, m.get("head_loss_f32").asDouble(),
                    head, F32_RTOL, F32_ATOL, "openpcdet head loss vs f32");
            assertScalarClose(name + " loss.head vs OpenPCDet's code in float64 " + logged,
                    m.get("head_loss_f64").asDouble(), head, name.startsWith("transfusion") ? 6e-8 : SUM_RTOL, 0,
                    "openpcdet head loss vs f64");
            Tensor ours = npy(out);
            if (name.startsWith("transfusion")) {
                // --out has the raw logits' (B, C, P) layout; the reference's loss is the permuted (B, P, C).
                assertEquals(npy(DIR.resolve(name).resolve("head0.npy")).shape(), ours.shape(), name + ": loss shape");
                ours = ours.moveAxisLast(1);
            }
            assertArrayEquals(HeadModesTest.longs(m.get("shape")), ours.shape().dims(), name + ": loss shape");
            assertClose(name + " loss vs OpenPCDet float32", npy(DIR.resolve(name).resolve("loss.npy")), ours,
                    F32_RTOL, F32_ATOL, "openpcdet loss vs f32");
            assertClose(name + " loss vs OpenPCDet float64", npy(DIR.resolve(name).resolve("loss_f64.npy")), ours,
                    HeadModesTest.F64_RTOL, 0, "openpcdet loss vs f64");
            JsonNode ps = s.get("per_sample");
            for (int b = 0; b < m.get("per_sample").size(); b++) {
                for (String f : new String[] {"positives", "negatives", "ignored", "normalizer"}) {
                    assertEquals(m.get("per_sample").get(b).get(f).asDouble(), ps.get(b).get(f).asDouble(),
                            name + " per_sample[" + b + "]." + f);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> separateHeadsHaveTheirOwnColumnsAndLoss() {
        return cases("multihead").stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            JsonNode m = meta(name);
            Path out = tmp.resolve(name + ".npy");
            Path targets = tmp.resolve(name + "_t.npy");
            Cli r = run(args(name, "--json", "--out", out.toString(), "--write-targets", targets.toString()));
            assertEquals(0, r.code, r.toString());
            JsonNode heads = parse(r.out).get("labels").get("heads");
            boolean separate = m.get("separate").asBoolean();
            assertEquals(m.get("heads").size(), heads.size());
            Tensor expected = npy(DIR.resolve(name).resolve("loss.npy"));
            Tensor ours = npy(out);
            Tensor t = npy(targets);
            for (int h = 0; h < heads.size(); h++) {
                JsonNode e = m.get("heads").get(h);
                JsonNode a = heads.get(h);
                for (String f : new String[] {"anchors", "classes", "first_class"}) {
                    assertEquals(e.get(f).asLong(), a.get(f).asLong(), name + " head " + h + " " + f);
                }
                if (separate) {
                    assertScalarClose(name + " head " + h + " loss vs OpenPCDet's float64", e.get("loss_f64").asDouble(),
                            a.get("loss").asDouble(), SUM_RTOL, 0, "openpcdet per-head loss vs f64");
                } else {
                    assertFalse(a.has("loss"), a.toString());
                }
            }
            // The columns a head does not have are exactly 0, in the loss and in the targets.
            for (long i = 0; i < expected.count(); i++) {
                if (expected.getDouble(i) == 0) {
                    assertEquals(0.0, ours.getDouble(i), name + " loss element " + i);
                    assertEquals(0.0, t.getDouble(i), name + " target " + i);
                }
            }
        }));
    }

    /**
     * loss.mean and each anchor kind's focal_mean are over the elements the heads' loss calls
     * return, A_h * C_h a head (docs/semantics.md#multi-head-anchor-heads): the columns a separate
     * head does not have are no elements.
     */
    @TestFactory
    Stream<DynamicTest> meansAreOverTheHeadsOwnElements() {
        return cases("multihead").stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            JsonNode means = meta(name).get("means");
            Cli r = run(args(name, "--json"));
            assertEquals(0, r.code, r.toString());
            JsonNode s = parse(r.out);
            assertScalarClose(name + " loss.mean vs the heads' calls in float64", means.get("mean_f64").asDouble(),
                    s.get("loss").get("mean").asDouble(), SUM_RTOL, 0, "multi-head mean vs f64");
            assertScalarClose(name + " loss.mean is the sum over the heads' elements",
                    s.get("loss").get("sum").asDouble() / means.get("elements").asLong(),
                    s.get("loss").get("mean").asDouble(), 1e-15, 0, "multi-head mean count");
            for (String kind : new String[] {"positive", "negative", "ignored"}) {
                assertScalarClose(name + " " + kind + ".focal_mean vs the heads' calls in float64",
                        means.get("focal_mean_f64").get(kind).asDouble(), s.get(kind).get("focal_mean").asDouble(),
                        SUM_RTOL, 0, "multi-head focal mean vs f64");
            }
        }));
    }

    /**
     * The case's options with its head.pt bundle in place of its --logits and --labels files: what
     * a torch.save of AnchorHeadMulti's forward_ret_dict holds, cls_preds a list of the heads.
     */
    private static List<String> bundleArgs(String name, int copies, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval"));
        for (int i = 0; i < copies; i++) {
            a.add(DIR.resolve(name).resolve("head.pt").toString());
        }
        List<String> given = HeadModesTest.args(meta(name));
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i).equals("--logits") || given.get(i).equals("--labels")) {
                i++;
            } else {
                a.add(given.get(i));
            }
        }
        a.addAll(List.of(extra));
        return a;
    }

    /**
     * A .pt bundle whose cls_preds is a Python list of the heads' tensors is the multi-head form, as
     * the same heads given by --logits are; a many-dumps run of such bundles aggregates over the
     * heads' own elements.
     */
    @TestFactory
    Stream<DynamicTest> aPtBundleWithAListOfHeadsIsTheMultiHead() {
        return cases("multihead").stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            JsonNode m = meta(name);
            Cli r = run(bundleArgs(name, 1, "--json"));
            assertEquals(0, r.code, r.toString());
            JsonNode s = parse(r.out);
            double head = s.get("loss").get("head").asDouble();
            assertScalarClose(name + " loss.head vs OpenPCDet's float32", m.get("head_loss_f32").asDouble(), head,
                    F32_RTOL, F32_ATOL, "openpcdet head loss vs f32");
            assertScalarClose(name + " loss.head vs OpenPCDet's float64", m.get("head_loss_f64").asDouble(), head,
                    SUM_RTOL, 0, "openpcdet head loss vs f64");
            JsonNode heads = s.get("labels").get("heads");
            assertEquals(m.get("heads").size(), heads.size());
            for (int h = 0; h < heads.size(); h++) {
                assertTrue(heads.get(h).get("logits").asText().endsWith("head.pt:cls_preds/" + h), heads.toString());
                assertEquals(m.get("heads").get(h).get("classes").asLong(), heads.get(h).get("classes").asLong());
            }
            assertScalarClose(name + " loss.mean", m.get("means").get("mean_f64").asDouble(),
                    s.get("loss").get("mean").asDouble(), SUM_RTOL, 0, "multi-head mean vs f64");
            Cli many = run(bundleArgs(name, 2, "--json"));
            assertEquals(0, many.code, many.toString());
            JsonNode aggregate = parse(many.out).get("aggregate");
            assertScalarClose(name + " aggregate loss.mean over the heads' elements",
                    m.get("means").get("mean_f64").asDouble(), aggregate.get("loss").get("mean").asDouble(), SUM_RTOL,
                    0, "multi-head aggregate mean vs f64");
            assertScalarClose(name + " aggregate loss.per_batch", m.get("head_loss_f64").asDouble(),
                    aggregate.get("loss").get("per_batch").asDouble(), SUM_RTOL, 0, "multi-head aggregate vs f64");
        }));
    }

    @Test
    void aListOfHeadsWithoutLabelsIsRefused() {
        Path pt = DIR.resolve("separate_2_heads").resolve("head.pt");
        Cli r = Cli.run("eval", pt.toString(), "--loss", "centernet");
        assertEquals(3, r.code, r.toString());
        RunOutcome.assertOneLine(r.err);
        assertTrue(r.err.contains("head.pt: its logits are a list of 2 heads"), r.err);
        Cli hint = Cli.run("eval", pt.toString());
        assertEquals(2, hint.code, hint.toString());
        assertTrue(hint.err.contains("give --num-classes C") && hint.err.contains("C = 3"), hint.err);
    }

    @Test
    void pointHeadWithOneClassRefusesALabelOfTwo() {
        JsonNode m = meta("point_head_c1_label_2");
        Cli r = run(args("point_head_c1_label_2"));
        assertEquals(m.get("exit").asInt(), r.code, r.toString());
        for (JsonNode f : m.get("message_contains")) {
            assertTrue(r.err.contains(f.asText()), r.err);
        }
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Test
    void weightsLongerThanATargetsAxisOfOneGrowTheLoss() {
        JsonNode m = meta("weights_grow_the_loss");
        Path out = tmp.resolve("grown.npy");
        Cli r = run(args("weights_grow_the_loss", "--json", "--out", out.toString()));
        assertEquals(0, r.code, r.toString());
        JsonNode s = parse(r.out);
        assertArrayEquals(HeadModesTest.longs(m.get("shape")), HeadModesTest.longs(s.get("shape")));
        assertScalarClose("loss.sum vs the reference in float64", m.get("sum_f64").asDouble(),
                s.get("loss").get("sum").asDouble(), SUM_RTOL, 0, "grown loss sum vs f64");
        Path d = DIR.resolve("weights_grow_the_loss");
        assertClose("grown loss vs the reference in float32", npy(d.resolve("loss.npy")), npy(out), F32_RTOL, F32_ATOL,
                "grown loss vs f32");
        assertClose("grown loss vs the reference in float64", npy(d.resolve("loss_f64.npy")), npy(out),
                HeadModesTest.F64_RTOL, 0, "grown loss vs f64");
        assertFalse(s.get("loss").has("head"), "targets mode names no head");
    }

    @Test
    void headsWhoseClassesNeitherMatchNorAddUpAreRefusedWithTheCounts() {
        // separate_2_heads has heads of 1 and 2 classes: C = 4 is neither every head's nor their sum.
        List<String> a = args("separate_2_heads");
        a.set(a.indexOf("--num-classes") + 1, "4");
        Cli r = run(a);
        assertEquals(3, r.code, r.toString());
        assertTrue(r.err.contains("1, 2 (sum 3)") && r.err.contains("--num-classes 4"), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Test
    void severalLogitsWithoutLabelsIsAUsageError() {
        Path d = DIR.resolve("separate_2_heads");
        Cli r = Cli.run("eval", "--logits", d.resolve("head0.npy").toString(), "--logits",
                d.resolve("head1.npy").toString(), "--targets", d.resolve("head0.npy").toString());
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.contains("--labels"), r.err);
    }

    @Test
    void theTableShowsEachHead() {
        Cli r = run(args("separate_3_heads"));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("head  logits") && r.out.contains("head=") && r.out.contains("head2.npy"), r.out);
    }
}
