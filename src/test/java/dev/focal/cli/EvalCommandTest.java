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
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code focal eval} against fixtures from real PyTorch: tools/oracle/eval_oracle.py runs its own
 * op-by-op torch reimplementation of OpenPCDet's SigmoidFocalClassificationLoss and writes, per case
 * under src/test/resources/eval/, the inputs, torch's per-element loss (own dtype and float64), the
 * float64 autograd gradient, and expected.json (torch float64 sums, numpy anchor counts, refusals
 * verified by running the reference). Every expected value here comes from those files.
 */
class EvalCommandTest {
    static final Path EVAL = Path.of("src/test/resources/eval");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** torch.testing.assert_close defaults (docs/semantics.md#default-tolerances). */
    static final double F32_RTOL = 1.3e-6;
    static final double F32_ATOL = 1e-5;
    static final double F64_RTOL = 1e-7;
    static final double F64_ATOL = 1e-7;
    /** Sums: accumulated in double with compensation, vs torch's float64 sum. */
    static final double SUM_RTOL = 1e-12;

    /** Largest observed |ours - torch| per comparison kind, printed after the run for the report. */
    static final Map<String, double[]> MAX_DIFF = new ConcurrentHashMap<>();

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

    static List<String> caseNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode n : readJson(EVAL.resolve("index.json")).get("cases")) {
            names.add(n.asText());
        }
        return names;
    }

    static Tensor npy(Path p) {
        try (TensorFile f = TensorIO.open(p.toString())) {
            return f.get(null);
        }
    }

    /** Input options for a case: --logits/--targets/--weights, or its bundle. */
    static List<String> inputArgs(Path dir, JsonNode meta) {
        JsonNode in = meta.get("inputs");
        List<String> args = new ArrayList<>();
        if (in.has("bundle")) {
            args.add(dir.resolve(in.get("bundle").asText()).toString());
        } else {
            args.add("--logits");
            args.add(dir.resolve(in.get("logits").asText()).toString());
            args.add("--targets");
            args.add(dir.resolve(in.get("targets").asText()).toString());
            if (in.hasNonNull("weights")) {
                args.add("--weights");
                args.add(dir.resolve(in.get("weights").asText()).toString());
            }
        }
        return args;
    }

    /** The case's logits, from its .npy or its bundle (numpy-written fixtures). */
    static Tensor inputLogits(Path dir, JsonNode meta) {
        JsonNode in = meta.get("inputs");
        if (!in.has("bundle")) {
            return npy(dir.resolve(in.get("logits").asText()));
        }
        try (TensorFile f = TensorIO.open(dir.resolve(in.get("bundle").asText()).toString())) {
            return f.get(f.keys().contains("logits") ? "logits" : "cls_preds");
        }
    }

    static List<String> evalArgs(Path dir, JsonNode meta, String... extra) {
        List<String> args = new ArrayList<>();
        args.add("eval");
        args.addAll(inputArgs(dir, meta));
        args.add("--gamma");
        args.add(Double.toString(meta.get("gamma").asDouble()));
        args.add("--alpha");
        args.add(Double.toString(meta.get("alpha").asDouble()));
        if (meta.has("loss_weight")) {
            args.add("--loss-weight");
            args.add(Double.toString(meta.get("loss_weight").asDouble()));
        }
        args.addAll(List.of(extra));
        return args;
    }

    static Cli run(List<String> args) {
        return Cli.run(args.toArray(new String[0]));
    }

    // ------------------------------------------------------------------------------ comparisons

    static void record(String kind, double diff) {
        MAX_DIFF.merge(kind, new double[] {diff}, (a, b) -> a[0] >= b[0] ? a : b);
    }

    /**
     * torch.testing.assert_close per element: |a - e| <= atol + rtol*|e|; NaN exactly where the
     * expected value is NaN; infinities equal (same sign).
     */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol, String kind) {
        assertClose(what, expected, actual, rtol, atol, kind, null);
    }

    /** As above, skipping the flat indices {@code skip} accepts (null: none). */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol, String kind,
                            LongPredicate skip) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), what + ": shape");
        long n = expected.count();
        double maxAbs = 0;
        double maxUsed = 0;
        List<String> bad = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            if (skip != null && skip.test(i)) {
                continue;
            }
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            boolean ok;
            if (Double.isNaN(e) || Double.isNaN(a)) {
                ok = Double.isNaN(e) && Double.isNaN(a);
            } else if (Double.isInfinite(e) || Double.isInfinite(a)) {
                ok = e == a;
            } else {
                double d = Math.abs(a - e);
                maxAbs = Math.max(maxAbs, d);
                maxUsed = Math.max(maxUsed, d / (atol + rtol * Math.abs(e)));
                ok = d <= atol + rtol * Math.abs(e);
            }
            if (!ok && bad.size() < 8) {
                bad.add("[" + i + "] " + java.util.Arrays.toString(expected.shape().unravel(i))
                        + " torch " + e + " ours " + a);
            }
        }
        record(kind + " (abs)", maxAbs);
        record(kind + " (share of tolerance)", maxUsed);
        if (!bad.isEmpty()) {
            fail(what + ": not within rtol " + rtol + ", atol " + atol + " of torch: " + String.join("; ", bad));
        }
    }

    /** Reads JSON without Jackson's extensions, as RFC 8259 and every other parser do. */
    static final JsonMapper STRICT = new JsonMapper();

    /**
     * A summary figure as a double: a number, or a non-finite one written as a string; an
     * undefined figure (a mean over nothing) must be null, and reads as NaN, the oracle's value.
     */
    static double figure(JsonNode parent, String field, boolean defined) {
        JsonNode n = parent.get(field);
        assertEquals(!defined, n.isNull(), field + " is null exactly when it is undefined: " + n);
        if (n.isNull()) {
            return Double.NaN;
        }
        if (n.isTextual()) {
            assertTrue(List.of("NaN", "Infinity", "-Infinity").contains(n.textValue()), field + ": " + n);
            return Double.parseDouble(n.textValue());
        }
        assertTrue(n.isNumber(), field + ": " + n);
        return n.doubleValue();
    }

    static void assertRel(String what, double expected, double actual, double rtol) {
        assertRel(what, expected, actual, rtol, 0);
    }

    static void assertRel(String what, double expected, double actual, double rtol, double atol) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            assertEquals(expected, actual, what + " (non-finite must match)");
            return;
        }
        assertTrue(Double.isFinite(actual), what + ": torch " + expected + ", ours " + actual);
        double d = Math.abs(actual - expected);
        assertTrue(d <= atol + rtol * Math.abs(expected),
                what + ": torch " + expected + ", ours " + actual + " (rel diff " + d / Math.abs(expected) + ")");
        if (expected != 0) {
            record("summary relative", d / Math.abs(expected));
        }
    }

    // ------------------------------------------------------------------------------ per-case tests

    @TestFactory
    Stream<DynamicNode> torchFixtures() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : caseNames()) {
            Path dir = EVAL.resolve(name);
            JsonNode meta = readJson(dir.resolve("expected.json"));
            List<DynamicNode> tests = new ArrayList<>();
            // each dynamic test writes into its own directory (the @TempDir is shared by the factory)
            if (meta.get("refused").asBoolean()) {
                tests.add(test(name, "refused with exit 3", () -> refused(fresh(name), dir, meta)));
            } else {
                tests.add(test(name, "summary json", () -> summary(fresh(name), dir, meta)));
                if (meta.get("per_element").asBoolean()) {
                    tests.add(test(name, "loss and grad in the natural dtype", () -> naturalDtype(fresh(name), dir, meta)));
                    tests.add(test(name, "loss and grad in float64", () -> float64(fresh(name), dir, meta)));
                }
                tests.add(test(name, "reductions", () -> reductions(fresh(name), dir, meta)));
            }
            nodes.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return nodes.stream();
    }

    /** A dynamic test whose failures name the fixture case (surefire reports only indices). */
    private static DynamicTest test(String name, String what, Executable body) {
        return DynamicTest.dynamicTest(name + ": " + what, () -> {
            try {
                body.execute();
            } catch (AssertionError e) {
                throw new AssertionError("case " + name + " (" + what + "): " + e.getMessage(), e);
            }
        });
    }

    private Path fresh(String name) throws IOException {
        return Files.createTempDirectory(tmp, name);
    }

    private void refused(Path tmp, Path dir, JsonNode meta) throws IOException {
        Path out = tmp.resolve("loss.npy");
        Path stats = tmp.resolve("stats.json");
        Cli r = run(evalArgs(dir, meta, "--out", out.toString(), "--stats", stats.toString(), "--json"));
        assertEquals(3, r.code, r.toString());
        assertEquals("", r.out, "nothing on stdout");
        assertTrue(r.err.startsWith("focal: "), r.err);
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);
        assertFalse(Files.exists(out), "no output written");
        assertFalse(Files.exists(stats), "no stats written");
        if (meta.get("refused_by").asText().equals("weights")) {
            String weights = dir.resolve(meta.get("inputs").get("weights").asText()).toString();
            assertTrue(r.err.contains(weights), "names the weights file: " + r.err);
            assertTrue(r.err.contains("accepted:"), "says what would be accepted: " + r.err);
            // the shapes involved, in Python's tuple notation
            JsonNode ws = meta.get("weights_shape");
            assertTrue(r.err.contains(ws.size() == 0 ? "0-d" : tuple(ws)), "weights shape: " + r.err);
            assertTrue(r.err.contains(tuple(meta.get("shape"))), "targets shape: " + r.err);
        } else {
            assertTrue(r.err.contains(tuple(meta.get("shape"))), "logits shape: " + r.err);
            assertTrue(r.err.contains(tuple(meta.get("targets_shape"))), "targets shape: " + r.err);
        }
    }

    /** Python's tuple notation for a shape: (), (3,), (2, 50, 3). */
    static String tuple(JsonNode dims) {
        List<String> parts = new ArrayList<>();
        dims.forEach(d -> parts.add(d.asText()));
        return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
    }

    private void summary(Path tmp, Path dir, JsonNode e) throws IOException {
        Path stats = tmp.resolve("stats.json");
        Cli r = run(evalArgs(dir, e, "--json", "--top", "3", "--stats", stats.toString()));
        assertEquals(0, r.code, r.toString());
        assertEquals(r.out, Files.readString(stats, StandardCharsets.UTF_8), "--stats holds what --json prints");
        // Strict RFC 8259: a reader without Jackson's non-numeric extension must take it.
        JsonNode s = STRICT.readTree(r.out);
        assertEquals(e.get("gamma").asDouble(), s.get("gamma").asDouble());
        assertEquals(e.get("alpha").asDouble(), s.get("alpha").asDouble());
        assertEquals(e.get("shape"), s.get("shape"));
        assertEquals(e.get("dtype").asText(), s.get("dtype").asText(), "dtype torch computes in");
        assertEquals(e.get("weights").asText(), s.get("weights").asText());
        long elements = 1;
        for (JsonNode d : e.get("shape")) {
            elements *= d.asLong();
        }
        Map<String, Boolean> defined = Map.of("sum", true, "mean", elements > 0,
                "per_batch", e.get("shape").isEmpty() || e.get("shape").get(0).asLong() > 0);
        for (String k : new String[] {"sum", "mean", "per_batch"}) {
            assertRel("loss." + k, e.get("loss").get(k).asDouble(), figure(s.get("loss"), k, defined.get(k)), SUM_RTOL);
        }
        for (String k : new String[] {"total", "positive", "negative", "ignored", "classes"}) {
            assertEquals(e.get("anchors").get(k).asLong(), s.get("anchors").get(k).asLong(), "anchors." + k);
        }
        double total = e.get("loss").get("sum").asDouble();
        for (String k : new String[] {"positive", "negative", "ignored"}) {
            JsonNode ek = e.get(k);
            JsonNode sk = s.get(k);
            assertEquals(ek.get("anchors").asLong(), sk.get("anchors").asLong(), k + ".anchors");
            // Part sums: torch's literal float64 formula loses relative precision on elements
            // far below the total (1 - sigmoid(17) by subtraction), so allow 1e-12 of the total too.
            double atol = Double.isFinite(total) ? SUM_RTOL * total : 0;
            boolean none = ek.get("anchors").asLong() == 0;
            assertRel(k + ".loss_sum", ek.get("loss_sum").asDouble(), figure(sk, "loss_sum", true), SUM_RTOL, atol);
            assertRel(k + ".loss_mean", ek.get("loss_mean").asDouble(), figure(sk, "loss_mean", !none), SUM_RTOL,
                    none ? 0 : atol / ek.get("anchors").asLong());
            assertRel(k + ".share", ek.get("share").asDouble(), figure(sk, "share", total != 0), SUM_RTOL, SUM_RTOL);
            // mean of q^gamma in [0, 1]: torch's q = 1 - p by subtraction is off by ~1e-16 absolute
            assertRel(k + ".focal_mean", ek.get("focal_mean").asDouble(), figure(sk, "focal_mean", !none),
                    SUM_RTOL, 1e-14);
        }
        JsonNode pc = s.get("per_class");
        assertEquals(e.get("per_class").size(), pc.size(), "per_class length");
        for (int c = 0; c < pc.size(); c++) {
            JsonNode ec = e.get("per_class").get(c);
            assertEquals(c, pc.get(c).get("class").asInt());
            assertEquals(ec.get("positives").asLong(), pc.get(c).get("positives").asLong(), "per_class positives " + c);
            assertRel("per_class loss_sum " + c, ec.get("loss_sum").asDouble(), pc.get(c).get("loss_sum").asDouble(),
                    SUM_RTOL, Double.isFinite(total) ? SUM_RTOL * total : 0);
            assertTrue(pc.get(c).has("name"), "per_class name");
        }
        JsonNode en = e.get("nonfinite");
        JsonNode sn = s.get("nonfinite");
        for (String k : new String[] {"logits", "loss", "in_positive", "in_negative", "in_ignored"}) {
            assertEquals(en.get(k).asLong(), sn.get(k).asLong(), "nonfinite." + k);
        }
        for (String k : new String[] {"first_in_positive", "first_in_negative", "first_in_ignored"}) {
            // the summary points at the first NaN/inf loss of each kind of anchor (torch's placement)
            assertEquals(en.get(k), sn.get(k), "nonfinite." + k);
        }
        if (e.has("top")) {
            JsonNode et = e.get("top");
            JsonNode st = s.get("top");
            assertEquals(et.size(), st.size(), "top 3");
            for (int i = 0; i < et.size(); i++) {
                JsonNode a = et.get(i);
                JsonNode b = st.get(i);
                assertEquals(a.get("index"), b.get("index"), "top " + i + " index");
                assertEquals(a.get("class").asLong(), b.get("class").asLong(), "top " + i + " class");
                assertEquals(a.get("logit").asDouble(), figure(b, "logit", true), "top " + i + " logit");
                assertEquals(a.get("target").asDouble(), figure(b, "target", true), "top " + i + " target");
                assertEquals(a.get("weight").asDouble(), figure(b, "weight", true), "top " + i + " weight");
                assertRel("top " + i + " loss", a.get("loss").asDouble(), figure(b, "loss", true), SUM_RTOL);
            }
        } else if (e.get("nonfinite").get("loss").asLong() == 0) {
            assertEquals(Math.min(3, e.get("anchors").get("total").asLong() * e.get("anchors").get("classes").asLong()),
                    s.get("top").size(), "--top 3 lists three elements");
        }
    }

    private void naturalDtype(Path tmp, Path dir, JsonNode e) {
        Path out = tmp.resolve("loss.npy");
        Path grad = tmp.resolve("grad.npy");
        Cli r = run(evalArgs(dir, e, "--out", out.toString(), "--grad-out", grad.toString(), "--json"));
        assertEquals(0, r.code, r.toString());
        Tensor expected = npy(dir.resolve("loss.npy"));
        Tensor loss = npy(out);
        Tensor g = npy(grad);
        String dtype = e.get("dtype").asText();
        assertEquals(dtype, expected.dtype().numpyName(), "fixture");
        assertEquals(dtype, loss.dtype().numpyName(), "--out dtype");
        assertEquals(dtype, g.dtype().numpyName(), "--grad-out dtype");
        boolean f32 = dtype.equals("float32");
        assertClose("loss (" + dtype + ")", expected, loss, f32 ? F32_RTOL : F64_RTOL, f32 ? F32_ATOL : F64_ATOL,
                "loss " + dtype + " vs torch " + dtype);
        // The gradient in the natural dtype against autograd in float64, at that dtype's tolerance.
        Tensor autograd = npy(dir.resolve("grad_f64.npy"));
        assertClose("grad (" + dtype + ")", autograd, g, f32 ? F32_RTOL : F64_RTOL,
                f32 ? F32_ATOL : F64_ATOL, "grad " + dtype + " vs autograd float64", gradSkips(dir, e, autograd, g));
    }

    private void float64(Path tmp, Path dir, JsonNode e) {
        Path out = tmp.resolve("loss64.npy");
        Path grad = tmp.resolve("grad64.npy");
        Cli r = run(evalArgs(dir, e, "--out", out.toString(), "--grad-out", grad.toString(), "--out-dtype", "float64"));
        assertEquals(0, r.code, r.toString());
        Tensor loss = npy(out);
        Tensor g = npy(grad);
        assertEquals("float64", loss.dtype().numpyName());
        assertEquals("float64", g.dtype().numpyName());
        assertClose("loss (float64)", npy(dir.resolve("loss_f64.npy")), loss, F64_RTOL, F64_ATOL,
                "loss float64 vs torch float64");
        Tensor autograd = npy(dir.resolve("grad_f64.npy"));
        assertClose("grad (float64)", autograd, g, F64_RTOL, F64_ATOL,
                "grad float64 vs autograd float64", gradSkips(dir, e, autograd, g));
    }

    /**
     * The gradient elements left out of the comparison with autograd, each for a stated reason:
     * <ul>
     * <li>logit exactly 0: autograd's value there is not the derivative (clamp and abs at their
     *     kink); checked on its own by {@link #gradientAtZeroLogitMatchesAutograd}.</li>
     * <li>gamma &lt; 1, finite logit, autograd NaN/inf: torch's q is exactly 0 (x = +-1e4 on the
     *     confident side, or x = 88.7, t = 1 where torch's float64 1 - sigmoid(x) cancels to 0), so
     *     autograd forms gamma * 0^(gamma-1) = inf and inf * 0 = NaN; the true gradient underflows
     *     to ~0 and our stable math gives that. Checked here instead: ours is finite and within
     *     atol of 0. (Fixtures: grid_f32_g0.5_a0.25, grid_f64_g0.5_a0.25.)</li>
     * </ul>
     */
    static LongPredicate gradSkips(Path dir, JsonNode meta, Tensor autograd, Tensor ours) {
        Tensor x = inputLogits(dir, meta);
        double gamma = meta.get("gamma").asDouble();
        long degenerate = 0;
        for (long i = 0; i < x.count(); i++) {
            double xi = x.getDouble(i);
            if (gamma < 1 && xi != 0 && Double.isFinite(xi) && !Double.isFinite(autograd.getDouble(i))) {
                degenerate++;
                double v = ours.getDouble(i);
                assertTrue(Double.isFinite(v) && Math.abs(v) <= F64_ATOL,
                        "gamma " + gamma + ", x " + xi + ": autograd " + autograd.getDouble(i)
                                + " (q == 0 in torch), ours " + v + " should be the underflowed true gradient ~0");
            }
        }
        if (degenerate > 0) {
            record("grad elements skipped per case (gamma<1, autograd NaN)", degenerate);
        }
        return i -> {
            double xi = x.getDouble(i);
            return xi == 0 || (gamma < 1 && Double.isFinite(xi) && !Double.isFinite(autograd.getDouble(i)));
        };
    }

    private void reductions(Path tmp, Path dir, JsonNode e) {
        String dtype = e.get("dtype").asText();
        Map<String, String> field = Map.of("sum", "sum", "mean", "mean", "batch", "per_batch");
        for (String red : new String[] {"sum", "mean", "batch"}) {
            double expected = e.get("loss").get(field.get(red)).asDouble();
            for (String outType : new String[] {null, "float64"}) {
                Path out = tmp.resolve(red + "_" + outType + ".npy");
                List<String> args = evalArgs(dir, e, "--reduction", red, "--out", out.toString());
                if (outType != null) {
                    args.add("--out-dtype");
                    args.add(outType);
                }
                Cli r = run(args);
                assertEquals(0, r.code, r.toString());
                Tensor t = npy(out);
                String want = outType != null ? outType : dtype;
                assertEquals(want, t.dtype().numpyName(), red + " dtype");
                assertEquals(0, t.shape().rank(), red + " is 0-d");
                double v = t.getDouble(0);
                if (want.equals("float64")) {
                    assertRel("--reduction " + red, expected, v, SUM_RTOL);
                } else if (Double.isFinite(expected)) {
                    // torch's float64 value rounded to float32, within float32's tolerance
                    assertTrue(Math.abs(v - expected) <= F32_RTOL * Math.abs(expected),
                            "--reduction " + red + " float32: torch " + expected + ", ours " + v);
                    assertEquals((double) (float) expected, v, Math.ulp((float) expected), red + " within a float32 ulp");
                } else {
                    assertEquals(expected, v, "--reduction " + red + " non-finite");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ single tests

    /**
     * At a logit of exactly 0 PyTorch's autograd of the reference is not the calculus derivative:
     * clamp(x, min=0) passes the gradient where x >= min (1 at x = 0) and |x| has derivative
     * sgn(0) = 0, so d bce / dx at x = 0 is 1 - t instead of p - t = 0.5 - t (bce itself is smooth
     * there). OpenPCDet's training uses autograd's value, so --grad-out must give it: the
     * difference is a * w * q^gamma * 0.5 (e.g. 1.0 vs 0.5 for t = 0, gamma 0, alpha 0). Every grid
     * case has a row of zero logits (row 6) with t = 0, 1, 0.3.
     */
    /**
     * Under --debug, eval names the kernels it chose and why: here FocalMath's for a float64
     * output, and FOCAL_KERNEL's choice for a float32 one.
     */
    @Test
    void debugNamesTheKernelsAndTheReason() {
        Cli f64 = Cli.run("--debug", "eval", "samples/tiny.json", "--quiet");
        assertEquals(0, f64.code, f64.toString());
        assertEquals("focal: kernels: scalar: float64 output\n", f64.err);
        Cli f32 = Cli.withEnv(Map.of("FOCAL_KERNEL", "polynomial"), "--debug", "eval", "samples/anchor_head.npz",
                "--quiet");
        assertEquals("focal: kernels: polynomial: FOCAL_KERNEL=polynomial\n", f32.err, f32.toString());
        assertEquals("", Cli.run("eval", "samples/tiny.json", "--quiet").err, "nothing without --debug");
    }

    @Test
    void gradientAtZeroLogitMatchesAutograd() throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String name : caseNames()) {
            if (!name.startsWith("grid_")) {
                continue;
            }
            Path dir = EVAL.resolve(name);
            JsonNode meta = readJson(dir.resolve("expected.json"));
            Path grad = tmp.resolve(name + "_grad.npy");
            Cli r = run(evalArgs(dir, meta, "--grad-out", grad.toString(), "--out-dtype", "float64"));
            assertEquals(0, r.code, r.toString());
            Tensor x = inputLogits(dir, meta);
            Tensor expected = npy(dir.resolve("grad_f64.npy"));
            Tensor ours = npy(grad);
            for (long i = 0; i < x.count(); i++) {
                if (x.getDouble(i) != 0) {
                    continue;
                }
                checked++;
                double e = expected.getDouble(i);
                double a = ours.getDouble(i);
                if (!(Math.abs(a - e) <= F64_ATOL + F64_RTOL * Math.abs(e))) {
                    failures.add(name + " " + java.util.Arrays.toString(x.shape().unravel(i)) + ": autograd " + e
                            + ", ours " + a);
                }
            }
        }
        assertTrue(checked > 0, "the grid has zero logits");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + checked + " elements with logit 0 differ from autograd, e.g. "
                    + String.join("; ", failures.subList(0, Math.min(4, failures.size()))));
        }
    }

    @Test
    void anchorHeadGradientAndLossFromSeparateRunsAgreeWithOneRun() {
        // --out and --grad-out in one run give the same bytes as each alone (fixture: anchor_head)
        Path dir = EVAL.resolve("anchor_head");
        JsonNode meta = readJson(dir.resolve("expected.json"));
        Path both = tmp.resolve("both.npy");
        Path bothGrad = tmp.resolve("both_grad.npy");
        Path alone = tmp.resolve("alone.npy");
        Path aloneGrad = tmp.resolve("alone_grad.npy");
        assertEquals(0, run(evalArgs(dir, meta, "--out", both.toString(), "--grad-out", bothGrad.toString())).code);
        assertEquals(0, run(evalArgs(dir, meta, "--out", alone.toString())).code);
        assertEquals(0, run(evalArgs(dir, meta, "--grad-out", aloneGrad.toString())).code);
        assertClose("loss", npy(dir.resolve("loss.npy")), npy(alone), F32_RTOL, F32_ATOL, "loss float32 vs torch float32");
        assertBytesEqual(both, alone);
        assertBytesEqual(bothGrad, aloneGrad);
    }

    static void assertBytesEqual(Path a, Path b) {
        try {
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), a + " vs " + b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void outputsNamingAnInputAreRefusedBeforeAnyWork() throws IOException {
        Path src = EVAL.resolve("anchor_head");
        // copies, so that a bug that does overwrite cannot damage the fixtures
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (String f : new String[] {"logits.npy", "targets.npy", "weights.npy"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        JsonNode meta = readJson(src.resolve("expected.json"));
        String[][] cases = {
            {"--out", "logits.npy"}, {"--out", "targets.npy"}, {"--out", "weights.npy"},
            {"--grad-out", "logits.npy"}, {"--grad-out", "weights.npy"},
            {"--stats", "targets.npy"}, {"--stats", "weights.npy"},
        };
        for (String[] c : cases) {
            Path victim = dir.resolve(c[1]);
            byte[] before = Files.readAllBytes(victim);
            Cli r = run(evalArgs(dir, meta, c[0], victim.toString()));
            assertEquals(2, r.code, String.join(" ", c) + ": " + r);
            assertTrue(r.err.startsWith("focal: "), r.err);
            assertEquals("", r.out, "no summary printed: " + r);
            assertArrayEquals(before, Files.readAllBytes(victim), c[1] + " unchanged");
        }
        // the same file through another spelling of its path
        Path victim = dir.resolve("logits.npy");
        byte[] before = Files.readAllBytes(victim);
        Cli r = run(evalArgs(dir, meta, "--out", dir.resolve("../in/./logits.npy").toString()));
        assertEquals(2, r.code, r.toString());
        assertArrayEquals(before, Files.readAllBytes(victim));
        // while an unrelated output path works and leaves the inputs alone
        Path out = tmp.resolve("loss.npy");
        r = run(evalArgs(dir, meta, "--out", out.toString()));
        assertEquals(0, r.code, r.toString());
        assertArrayEquals(before, Files.readAllBytes(victim));
    }

    @Test
    void outputNamingTheBundleIsRefused() throws IOException {
        Path bundle = tmp.resolve("bundle.npz");
        Files.copy(EVAL.resolve("bundle_npz/bundle.npz"), bundle);
        byte[] before = Files.readAllBytes(bundle);
        Cli r = Cli.run("eval", bundle.toString(), "--stats", bundle.toString());
        assertEquals(2, r.code, r.toString());
        r = Cli.run("eval", bundle.toString(), "--out", bundle.toString());
        assertEquals(2, r.code, r.toString());
        assertArrayEquals(before, Files.readAllBytes(bundle));
    }

    @Test
    void largeCaseIsIdenticalForAnyThreadCount() throws IOException {
        // 72000 elements: two ranges of the evaluation, so --threads 2 really splits the work
        Path dir = EVAL.resolve("large");
        JsonNode meta = readJson(dir.resolve("expected.json"));
        assertTrue(meta.get("shape").get(0).asLong() * meta.get("shape").get(1).asLong()
                * meta.get("shape").get(2).asLong() > 70_000);
        List<ThreadRun> runs = new ArrayList<>();
        for (String threads : new String[] {"1", "2", "3"}) {
            Path out = tmp.resolve("out" + threads + ".npy");
            Path grad = tmp.resolve("grad" + threads + ".npy");
            Cli r = run(evalArgs(dir, meta, "--threads", threads, "--json", "--top", "5",
                    "--out", out.toString(), "--grad-out", grad.toString()));
            assertEquals(0, r.code, r.toString());
            JsonNode s = JSON.readTree(r.out);
            // and it is torch's value
            assertRel("large loss.sum", meta.get("loss").get("sum").asDouble(), s.get("loss").get("sum").asDouble(),
                    SUM_RTOL);
            assertEquals(meta.get("anchors"), s.get("anchors"));
            runs.add(new ThreadRun(threads, r.out, Files.readAllBytes(out), Files.readAllBytes(grad)));
        }
        assertIdentical(runs);
    }

    /** The JSON summary and the --out and --grad-out bytes of one --threads value. */
    record ThreadRun(String threads, String json, byte[] out, byte[] grad) {
    }

    static void assertIdentical(List<ThreadRun> runs) {
        ThreadRun first = runs.get(0);
        for (ThreadRun r : runs.subList(1, runs.size())) {
            assertEquals(first.json(), r.json(), "--threads " + r.threads() + " JSON");
            assertArrayEquals(first.out(), r.out(), "--threads " + r.threads() + " --out");
            assertArrayEquals(first.grad(), r.grad(), "--threads " + r.threads() + " --grad-out");
        }
    }

    @Test
    void manyRangesAreIdenticalForAnyThreadCount() throws IOException {
        // 360000 elements (six ranges), written here: only thread-count invariance is checked.
        int b = 4;
        int a = 30000;
        int c = 3;
        Random rnd = new Random(11);
        float[] x = new float[b * a * c];
        float[] t = new float[b * a * c];
        float[] w = new float[b * a];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-4.6 + 2 * rnd.nextGaussian());
            t[i] = rnd.nextDouble() < 0.01 ? 1f : 0f;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextDouble() < 0.05 ? 0f : (float) rnd.nextDouble();
        }
        Path lx = writeF32(tmp.resolve("x.npy"), x, b, a, c);
        Path lt = writeF32(tmp.resolve("t.npy"), t, b, a, c);
        Path lw = writeF32(tmp.resolve("w.npy"), w, b, a);
        List<ThreadRun> runs = new ArrayList<>();
        for (String threads : new String[] {"1", "2", "4", "7"}) {
            Path out = tmp.resolve("o" + threads + ".npy");
            Path grad = tmp.resolve("g" + threads + ".npy");
            Cli r = Cli.run("eval", "--logits", lx.toString(), "--targets", lt.toString(), "--weights", lw.toString(),
                    "--threads", threads, "--json", "--top", "10", "--out", out.toString(), "--grad-out", grad.toString());
            assertEquals(0, r.code, r.toString());
            runs.add(new ThreadRun(threads, r.out, Files.readAllBytes(out), Files.readAllBytes(grad)));
        }
        assertIdentical(runs);
    }

    @Test
    void aNaNLossIsWrittenAsNumpysNanWhateverTheLogitsNaN() throws IOException {
        // NaN logits of either sign and several payloads: the loss's NaN would carry them (or
        // whatever the JIT's code makes of them), and an output must be the same bytes every run.
        float[] x = {Float.NaN, Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7fa00000), 0.5f,
            Float.intBitsToFloat(0xff812345), -1f};
        Path lx = writeF32(tmp.resolve("nan_x.npy"), x, 2, 3);
        Path lt = writeF32(tmp.resolve("nan_t.npy"), new float[] {0, 1, 0, 1, 1, 0}, 2, 3);
        Path out = tmp.resolve("nan_loss.npy");
        Cli r = Cli.run("eval", "--logits", lx.toString(), "--targets", lt.toString(), "--out", out.toString());
        assertEquals(0, r.code, r.toString());
        Tensor loss = npy(out);
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i])) {
                assertEquals(0x7fc00000L, loss.rawBits(i), "element " + i);
            } else {
                assertTrue(Double.isFinite(loss.getDouble(i)), "element " + i);
            }
        }
    }

    /** A C-order little-endian float32 .npy, written by hand (numpy's layout, format 1.0). */
    static Path writeF32(Path p, float[] data, long... shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        buf.putShort((short) h.length).put(h);
        for (float f : data) {
            buf.putFloat(f);
        }
        Files.write(p, buf.array());
        return p;
    }

    @Test
    void explicitMemberKeysOverrideTheBundle() {
        // FILE:KEY picks npz members; the result is torch's sum for the alias-keyed bundle
        Path dir = EVAL.resolve("bundle_npz_alias");
        JsonNode meta = readJson(dir.resolve("expected.json"));
        String npz = dir.resolve("bundle.npz").toString();
        Cli r = Cli.run("eval", "--logits", npz + ":cls_preds", "--targets", npz + ":one_hot_targets",
                "--weights", npz + ":cls_weights", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode s = readTree(r.out);
        assertRel("sum", meta.get("loss").get("sum").asDouble(), s.get("loss").get("sum").asDouble(), SUM_RTOL);
        // without the weights member: default weights, a different (torch) value
        Path plain = EVAL.resolve("bundle_json_no_weights");
        JsonNode pm = readJson(plain.resolve("expected.json"));
        r = Cli.run("eval", plain.resolve("bundle.json").toString(), "--json");
        assertEquals(0, r.code, r.toString());
        s = readTree(r.out);
        assertEquals("default", s.get("weights").asText());
        assertRel("sum", pm.get("loss").get("sum").asDouble(), s.get("loss").get("sum").asDouble(), SUM_RTOL);
    }

    static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** --top K lists NaN first (then +inf, then the largest finite), at torch's NaN/inf positions. */
    @Test
    void topListsTorchsNonFiniteLossesFirst() throws IOException {
        for (String name : new String[] {"nonfinite", "nonfinite_f64"}) {
            Path dir = EVAL.resolve(name);
            JsonNode meta = readJson(dir.resolve("expected.json"));
            Tensor torch = npy(dir.resolve("loss_f64.npy"));
            List<String> nan = new ArrayList<>();
            List<String> inf = new ArrayList<>();
            for (long i = 0; i < torch.count(); i++) {
                double v = torch.getDouble(i);
                String idx = java.util.Arrays.toString(torch.shape().unravel(i));
                if (Double.isNaN(v)) {
                    nan.add(idx);
                } else if (v == Double.POSITIVE_INFINITY) {
                    inf.add(idx);
                }
            }
            assertFalse(nan.isEmpty(), name + " has NaN losses");
            int k = nan.size() + inf.size();
            Cli r = run(evalArgs(dir, meta, "--json", "--top", Integer.toString(k)));
            assertEquals(0, r.code, r.toString());
            JsonNode top = JSON.readTree(r.out).get("top");
            assertEquals(k, top.size());
            List<String> gotNan = new ArrayList<>();
            List<String> gotInf = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                JsonNode item = top.get(i);
                List<String> parts = new ArrayList<>();
                item.get("index").forEach(v -> parts.add(v.asText()));
                String idx = "[" + String.join(", ", parts) + "]";
                double loss = item.get("loss").asDouble();
                if (i < nan.size()) {
                    assertTrue(Double.isNaN(loss), name + " top " + i + " is NaN: " + item);
                    gotNan.add(idx);
                } else {
                    assertEquals(Double.POSITIVE_INFINITY, loss, name + " top " + i + " is +inf: " + item);
                    gotInf.add(idx);
                }
            }
            gotNan.sort(null);
            gotInf.sort(null);
            nan.sort(null);
            inf.sort(null);
            assertEquals(nan, gotNan, name + ": NaN positions");
            assertEquals(inf, gotInf, name + ": +inf positions");
        }
    }

    @Test
    void nanOnAnIgnoredAnchorIsPointedAtInTheTable() {
        Path dir = EVAL.resolve("nan_on_ignored");
        JsonNode meta = readJson(dir.resolve("expected.json"));
        Cli r = run(evalArgs(dir, meta));
        assertEquals(0, r.code, r.toString());
        JsonNode first = meta.get("nonfinite").get("first_in_ignored");
        List<String> parts = new ArrayList<>();
        first.forEach(v -> parts.add(v.asText()));
        String at = "[" + String.join(", ", parts) + "]";
        assertTrue(r.out.contains("ignored anchor at " + at), r.out);
        assertTrue(r.out.toLowerCase(Locale.ROOT).contains("nan"), r.out);
    }

    @AfterAll
    static void reportMaxDifferences() {
        Map<String, Double> sorted = new TreeMap<>();
        MAX_DIFF.forEach((k, v) -> sorted.put(k, v[0]));
        StringBuilder sb = new StringBuilder("max |ours - torch| observed:\n");
        for (Iterator<Map.Entry<String, Double>> it = sorted.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Double> e = it.next();
            sb.append(String.format(Locale.ROOT, "  %-40s %.3e%n", e.getKey(), e.getValue()));
        }
        System.out.print(sb);
    }
}
