package dev.focal.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.focal.FocalException;
import dev.focal.compare.ComparisonResult;
import dev.focal.compare.GoldenStats;
import dev.focal.compare.JUnitReport;
import dev.focal.compare.TensorComparison;
import dev.focal.io.AtomicFile;
import dev.focal.io.TensorRef;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The regression checks of one eval run (--expect, --expect-stats, --fail-on-nonfinite) and how
 * they are reported: lines after the table, a "checks" object in the JSON summary, test cases in
 * a JUnit file, and one line on stderr for each check that failed.
 * <p>
 * A check never passes because something was missing: a golden file that does not exist fails
 * its check. Outside CI it is written too, so that the next run passes once it is committed; in
 * CI ({@link Settings#ci}) it is not written; {@code --update} writes it and passes anywhere.
 */
final class EvalChecks {
    // Goldens written before the summaries became strict JSON hold bare NaN tokens.
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final String CLASSNAME = "focal.eval";

    private final ToleranceOptions tolerance;
    private final DType outputType;
    private final PrintWriter err;
    private final String dump;
    private final List<JUnitReport.Case> cases = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final ObjectNode json = JSON.createObjectNode();
    private boolean passed = true;

    /** {@code dump} names the dump of a many-dumps eval in each case and message; empty for one run. */
    EvalChecks(ToleranceOptions tolerance, DType outputType, PrintWriter err, String dump) {
        this.tolerance = tolerance;
        this.outputType = outputType;
        this.err = err;
        this.dump = dump.isEmpty() ? "" : dump + ": ";
    }

    boolean passed() {
        return passed;
    }

    /** Compares the loss (what --out holds) with a reference tensor. */
    void expect(TensorRef ref, Tensor expected, Tensor loss) throws IOException {
        long start = System.nanoTime();
        ComparisonResult r = TensorComparison.compare(expected, loss,
                tolerance.relative(expected.dtype(), loss.dtype()), tolerance.equalNan.get());
        CompareReport report = new CompareReport(ref.toString(), "loss", r);
        String headline = report.headline();
        if (!r.shapesMatch() && expected.shape().rank() == 0) {
            headline += "; " + ref + " holds one value: give --reduction sum|mean|batch to check the reduced loss";
        }
        text.append("\nexpect ").append(report.text());
        json.set("expect", JSON.readTree(report.json()));
        record(new JUnitReport.Case("loss vs " + ref, CLASSNAME, r.close(), "loss differs from " + ref + ": "
                + headline, report.text(), seconds(start)));
    }

    /** Checks the summary against a golden one; see the class comment for a golden that is missing. */
    void expectStats(Path golden, EvalSummary summary, boolean update, Settings settings) throws IOException {
        long start = System.nanoTime();
        String name = "summary vs " + golden;
        ObjectNode result = json.putObject("expect_stats");
        result.put("golden", golden.toString());
        boolean exists = Files.exists(golden);
        if (update || !exists) {
            boolean write = update || !settings.ci();
            if (write) {
                byte[] text = SummaryJson.text(summary).getBytes(StandardCharsets.UTF_8);
                AtomicFile.write(golden, out -> out.write(text));
            }
            String headline = update ? "golden summary " + golden + (exists ? " updated" : " written")
                    : write ? "golden summary " + golden + " did not exist: written now; check it and commit it,"
                            + " the next run compares against it"
                    : "golden summary " + golden + " does not exist, and CI (the CI variable is set) does not"
                            + " write it: commit it, or write it with --update";
            result.put("written", write);
            result.put("missing", !update && !exists);
            result.put("close", update);
            text.append("\nexpect-stats: ").append(headline).append('\n');
            if (update) {
                err.println("focal: " + headline);
            }
            record(new JUnitReport.Case(name, CLASSNAME, update, headline, headline, seconds(start)));
            return;
        }
        JsonNode expected = readGolden(golden);
        List<GoldenStats.Mismatch> mismatches = GoldenStats.compare(expected, tree(summary),
                tolerance.relative(outputType, outputType),
                tolerance.equalNan.get());
        boolean close = mismatches.isEmpty();
        result.put("written", false);
        result.put("missing", false);
        result.put("close", close);
        ArrayNode list = result.putArray("mismatches");
        StringBuilder details = new StringBuilder();
        for (GoldenStats.Mismatch m : mismatches) {
            list.addObject().put("field", m.field()).put("golden", m.golden()).put("current", m.current());
            details.append("  ").append(m).append('\n');
        }
        String headline = close ? "summary matches " + golden
                : "summary differs from " + golden + ": " + mismatches.size() + " field"
                        + (mismatches.size() == 1 ? "" : "s") + " ("
                        + mismatches.stream().limit(5).map(GoldenStats.Mismatch::field).collect(Collectors.joining(", "))
                        + (mismatches.size() > 5 ? ", ..." : "") + ")";
        text.append("\nexpect-stats: ").append(headline).append('\n').append(details);
        record(new JUnitReport.Case(name, CLASSNAME, close, headline, headline + "\n" + details, seconds(start)));
    }

    /** --fail-on-nonfinite: the loss must be finite everywhere. */
    void finite(LossAccumulator acc, Shape shape) {
        long nan = acc.nanLoss();
        long inf = acc.infiniteLoss();
        boolean finite = nan + inf == 0;
        ObjectNode result = json.putObject("nonfinite");
        result.put("close", finite);
        result.put("nan", nan);
        result.put("inf", inf);
        String headline;
        if (finite) {
            headline = "the loss is finite everywhere";
        } else {
            List<String> parts = new ArrayList<>();
            if (nan > 0) {
                long[] first = shape.unravel(acc.firstNanLoss());
                index(result, "first_nan", first);
                parts.add(nan + " NaN (the first at " + Shape.indexString(first) + ")");
            }
            if (inf > 0) {
                long[] first = shape.unravel(acc.firstInfiniteLoss());
                index(result, "first_inf", first);
                parts.add(inf + " infinite (the first at " + Shape.indexString(first) + ")");
            }
            headline = "the loss is not finite: " + String.join(", ", parts);
        }
        text.append("\nfail-on-nonfinite: ").append(headline).append('\n');
        record(new JUnitReport.Case("loss is finite", CLASSNAME, finite, headline, headline, 0));
    }

    private static void index(ObjectNode node, String name, long[] index) {
        ArrayNode a = node.putArray(name);
        for (long i : index) {
            a.add(i);
        }
    }

    /** Keeps a check's outcome; a failed check is also one line on stderr, whatever else is printed. */
    private void record(JUnitReport.Case check) {
        JUnitReport.Case c = dump.isEmpty() ? check : new JUnitReport.Case(dump + check.name(), check.classname(),
                check.outcome(), dump + check.message(), check.details(), check.seconds());
        cases.add(c);
        if (!c.passed()) {
            passed = false;
            err.println("focal: " + c.message());
            err.flush();
        }
    }

    private static JsonNode readGolden(Path golden) {
        try {
            JsonNode node = JSON.readTree(golden.toFile());
            if (node == null || !node.isObject()) {
                throw FocalException.input(golden.toString(), "not a JSON summary (expected an object)");
            }
            return node;
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw FocalException.input(golden.toString(), "cannot read the golden summary: " + m);
        }
    }

    List<JUnitReport.Case> cases() {
        return cases;
    }

    void printText(PrintWriter out) {
        out.print(text);
    }

    /** The summary JSON with a "checks" object added. */
    String withChecks(EvalSummary summary) throws IOException {
        ObjectNode tree = tree(summary);
        tree.set("checks", json);
        StringWriter w = new StringWriter();
        try (var g = JsonOutput.generator(w)) {
            JSON.writeTree(g, tree);
        }
        return w + System.lineSeparator();
    }

    /** The summary as a tree, written by the one JSON writer of summaries. */
    private static ObjectNode tree(EvalSummary summary) throws IOException {
        try (TokenBuffer buffer = new TokenBuffer(JSON, false)) {
            SummaryJson.write(summary, buffer);
            return (ObjectNode) JSON.readTree(buffer.asParser());
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
