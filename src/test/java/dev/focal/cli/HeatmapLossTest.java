package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code focal eval --loss centernet|gaussian} (docs/semantics.md#heatmap-losses) against
 * tools/oracle/heatmap_oracle.py, which runs OpenPCDet's own CenterHead.get_loss, FocalLossSparse
 * and TransFusion's heatmap term on PyTorch, and evaluates every element's loss and gradient
 * exactly (50-digit decimal). Every expected value comes from src/test/resources/heatmap/.
 */
class HeatmapLossTest {
    static final Path DIR = Path.of("src/test/resources/heatmap");
    /** The framework sums ~500 float32 terms: its logged number is within this of the exact one. */
    static final double LOGGED_RTOL = 1e-6;

    @TempDir
    Path tmp;

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        HeadModesTest.JSON.readTree(DIR.resolve("index.json").toFile()).get("cases").forEach(list::add);
        return list;
    }

    private Cli eval(JsonNode c, String... more) {
        Path d = DIR.resolve(c.get("name").asText());
        List<String> a = new ArrayList<>(List.of("eval", "--logits", d.resolve("logits.npy").toString(), "--targets",
                d.resolve("targets.npy").toString(), "--json", "--quiet"));
        a.addAll(HeadModesTest.args(c));
        a.addAll(List.of(more));
        return Cli.run(a.toArray(new String[0]));
    }

    @TestFactory
    Stream<DynamicTest> headNumberIsTheLogs() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            Cli r = eval(c);
            assertEquals(0, r.code, r.toString());
            JsonNode s = HeadModesTest.JSON.readTree(r.out);
            double head = s.get("loss").get("head").asDouble();
            double logged = c.get("head32").asDouble();
            assertTrue(Math.abs(head - logged) <= LOGGED_RTOL * Math.abs(logged), head + " vs the log's " + logged);
            double exact = c.get("exact_head").asDouble();
            assertTrue(Math.abs(head - exact) <= 1e-12 * Math.abs(exact), head + " vs exact " + exact);
            assertEquals(c.get("args").get(1).asText(), s.get("loss_function").asText());
            assertEquals(4.0, s.get("gamma").asDouble());
            assertEquals(2.0, s.get("alpha").asDouble());
            for (String kind : new String[] {"peak", "near", "background"}) {
                assertEquals(c.get(kind).asLong(), s.get("elements").get(kind).asLong(), kind);
                assertEquals(c.get(kind).asLong(), s.get(kind).get("elements").asLong(), kind);
            }
            JsonNode perClass = s.get("per_class");
            assertEquals(c.get("peaks_per_class").size(), perClass.size());
            for (int k = 0; k < perClass.size(); k++) {
                assertEquals(c.get("peaks_per_class").get(k).asLong(), perClass.get(k).get("peaks").asLong(), "class " + k);
            }
        }));
    }

    /** float32 outputs within 1 ulp of the exact loss and gradient, element by element. */
    @TestFactory
    Stream<DynamicTest> elementsWithinOneUlp() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            Path loss = tmp.resolve(c.get("name").asText() + "_loss.npy");
            Path grad = tmp.resolve(c.get("name").asText() + "_grad.npy");
            Cli r = eval(c, "--out", loss.toString(), "--grad-out", grad.toString());
            assertEquals(0, r.code, r.toString());
            Path d = DIR.resolve(c.get("name").asText());
            // Element for element the logits' layout, (B, C, H, W) with --class-axis 1, as torch's
            // elementwise loss and autograd's gradient (docs/semantics.md#class-axis).
            assertWithinUlps(HeadModesTest.npy(d.resolve("exact.npy")), HeadModesTest.npy(loss), 1, "loss");
            assertWithinUlps(HeadModesTest.npy(d.resolve("grad.npy")), HeadModesTest.npy(grad), 1, "gradient");
        }));
    }

    private static void assertWithinUlps(Tensor exact, Tensor actual, int ulps, String what) {
        assertArrayEquals(exact.shape().dims(), actual.shape().dims(), what + " shape");
        for (long i = 0; i < exact.count(); i++) {
            double e = exact.getDouble(i);
            double a = actual.getDouble(i);
            assertTrue(Math.abs(a - e) <= ulps * Math.ulp((float) e), what + " element " + i + ": " + a + " vs " + e);
        }
    }

    @Test
    void tableNamesTheElementKindsAndTheHeadsNumber() throws IOException {
        JsonNode c = cases().get(0);
        Path d = DIR.resolve(c.get("name").asText());
        Cli r = Cli.run("eval", "--logits", d.resolve("logits.npy").toString(), "--targets",
                d.resolve("targets.npy").toString(), "--loss", "centernet", "--class-axis", "1");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("centernet heatmap loss  gamma=4  alpha=2"), r.out);
        assertTrue(r.out.contains("  head="), r.out);
        for (String kind : new String[] {"peak", "near", "background"}) {
            assertTrue(r.out.contains("\n" + kind + " "), kind + " row in\n" + r.out);
        }
    }

    /** --expect and --expect-stats check a heatmap run as any other; a changed loss weight fails both. */
    @Test
    void checksWorkOnHeatmapRuns() throws IOException {
        // The case without --loss-weight of its own.
        JsonNode c = cases().stream().filter(k -> k.get("name").asText().equals("voxelnext_sparse")).findFirst()
                .orElseThrow();
        Path ref = tmp.resolve("ref.npy");
        Path golden = tmp.resolve("golden.json");
        Cli first = eval(c, "--out", ref.toString(), "--expect-stats", golden.toString(), "--update");
        assertEquals(0, first.code, first.toString());
        Cli same = eval(c, "--expect", ref.toString(), "--expect-stats", golden.toString());
        assertEquals(0, same.code, same.toString());
        Cli changed = eval(c, "--expect", ref.toString(), "--expect-stats", golden.toString(), "--loss-weight", "1.5");
        assertEquals(1, changed.code, changed.toString());
        assertTrue(changed.err.contains("loss.head"), changed.err);
    }

    /**
     * A NaN logit on a background element is NaN there and counted as the background's; the
     * gradient there is NaN, as autograd's (docs/semantics.md#heatmap-losses).
     */
    @Test
    void nonFiniteIsLocatedByElementKind() throws IOException {
        Path logits = tmp.resolve("logits.json");
        Path targets = tmp.resolve("targets.json");
        Path grad = tmp.resolve("grad.json");
        java.nio.file.Files.writeString(logits, "[[[0.5, NaN, -1.0], [2.0, 0.0, 1.0]]]");
        java.nio.file.Files.writeString(targets, "[[[1.0, 0.0, 0.5], [0.0, 0.0, 0.25]]]");
        Cli r = Cli.run("eval", "--logits", logits.toString(), "--targets", targets.toString(), "--loss", "centernet",
                "--json", "--grad-out", grad.toString());
        assertEquals(0, r.code, r.toString());
        JsonNode s = HeadModesTest.JSON.readTree(r.out);
        assertEquals(1, s.get("nonfinite").get("in_background").asLong());
        assertEquals(0, s.get("nonfinite").get("in_peak").asLong());
        assertEquals("[0,0,1]", s.get("nonfinite").get("first_in_background").toString());
        assertEquals(1, s.get("elements").get("peak").asLong());
        assertEquals(2, s.get("elements").get("near").asLong());
        assertTrue(Double.isNaN(HeadModesTest.npy(grad).getDouble(1)));
    }

    @Test
    void refusesUnknownLossAndWeights() {
        JsonNode c;
        try {
            c = cases().get(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path d = DIR.resolve(c.get("name").asText());
        String logits = d.resolve("logits.npy").toString();
        String targets = d.resolve("targets.npy").toString();
        Cli unknown = Cli.run("eval", "--logits", logits, "--targets", targets, "--loss", "cornernet");
        assertEquals(2, unknown.code, unknown.toString());
        assertTrue(unknown.err.contains("--loss must be sigmoid-focal, centernet or gaussian"), unknown.err);
        Cli weights = Cli.run("eval", "--logits", logits, "--targets", targets, "--weights", targets, "--loss",
                "gaussian");
        assertEquals(2, weights.code, weights.toString());
        RunOutcome.assertOneLine(weights.err);
        Path report = tmp.resolve("r.html");
        Cli drawn = Cli.run("eval", "--logits", logits, "--targets", targets, "--loss", "centernet", "--report",
                report.toString());
        assertEquals(2, drawn.code, drawn.toString());
        assertTrue(drawn.err.contains("--report and --plots draw the sigmoid focal loss's figures")
                && drawn.err.contains("--loss centernet"), drawn.err);
        RunOutcome.assertOneLine(drawn.err);
        assertFalse(Files.exists(report), "no report written");
    }
}
