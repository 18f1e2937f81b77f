package dev.focal.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.focal.FocalException;
import dev.focal.compare.ComparisonResult;
import dev.focal.compare.GoldenStats;
import dev.focal.compare.JUnitReport;
import dev.focal.compare.TensorComparison;
import dev.focal.io.AtomicFile;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The regression checks of one eval run (--expect, --expect-stats) and how they are reported:
 * lines after the table, a "checks" object in the JSON summary, test cases in a JUnit file.
 */
final class EvalChecks {
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final ToleranceOptions tolerance;
    private final DType outputType;
    private final List<JUnitReport.Case> cases = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final ObjectNode json = JSON.createObjectNode();
    private boolean passed = true;

    EvalChecks(ToleranceOptions tolerance, DType outputType) {
        this.tolerance = tolerance;
        this.outputType = outputType;
    }

    boolean passed() {
        return passed;
    }

    /** Compares the loss (what --out holds) with a reference tensor. */
    void expect(TensorRef ref, Tensor expected, Tensor loss) throws IOException {
        long start = System.nanoTime();
        ComparisonResult r = TensorComparison.compare(expected, loss,
                tolerance.resolve(expected.dtype(), loss.dtype()), tolerance.equalNan);
        CompareReport report = new CompareReport(ref.toString(), "loss", r);
        passed &= r.close();
        text.append("\nexpect ").append(report.text());
        json.set("expect", JSON.readTree(report.json()));
        cases.add(new JUnitReport.Case("loss vs " + ref, "focal.eval", r.close(), report.headline(), report.text(),
                seconds(start)));
    }

    /** Checks the summary against a golden one, or writes the golden one when asked or absent. */
    void expectStats(Path golden, String summaryJson, boolean update, PrintWriter err) throws IOException {
        long start = System.nanoTime();
        ObjectNode result = json.putObject("expect_stats");
        result.put("golden", golden.toString());
        if (update || !Files.exists(golden)) {
            String why = update ? "updated" : "written (it did not exist)";
            AtomicFile.write(golden, out -> out.write(summaryJson.getBytes(StandardCharsets.UTF_8)));
            err.println("focal: " + golden + ": golden summary " + why);
            err.flush();
            text.append("\nexpect-stats: golden summary ").append(golden).append(' ').append(why).append('\n');
            result.put("written", true);
            result.put("close", true);
            cases.add(new JUnitReport.Case("summary vs " + golden, "focal.eval", true, null,
                    "golden summary " + why, seconds(start)));
            return;
        }
        JsonNode expected = readGolden(golden);
        List<GoldenStats.Mismatch> mismatches = GoldenStats.compare(expected, JSON.readTree(summaryJson),
                tolerance.forSummary(outputType));
        boolean close = mismatches.isEmpty();
        passed &= close;
        result.put("written", false);
        result.put("close", close);
        ArrayNode list = result.putArray("mismatches");
        StringBuilder details = new StringBuilder();
        for (GoldenStats.Mismatch m : mismatches) {
            list.addObject().put("field", m.field()).put("golden", m.golden()).put("current", m.current());
            details.append("  ").append(m).append('\n');
        }
        String headline = close ? "summary matches " + golden
                : mismatches.size() + " summary field" + (mismatches.size() == 1 ? "" : "s") + " differ from " + golden;
        text.append("\nexpect-stats: ").append(headline).append('\n').append(details);
        cases.add(new JUnitReport.Case("summary vs " + golden, "focal.eval", close, headline,
                headline + "\n" + details, seconds(start)));
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

    void writeJUnit(Path file) {
        JUnitReport.write(file, "focal eval", cases);
    }

    void printText(PrintWriter out) {
        out.print(text);
    }

    /** The summary JSON with a "checks" object added. */
    String appendTo(String summaryJson) throws IOException {
        ObjectNode summary = (ObjectNode) JSON.readTree(summaryJson);
        summary.set("checks", json);
        StringWriter w = new StringWriter();
        try (var g = JsonOutput.generator(w)) {
            JSON.writeTree(g, summary);
        }
        return w + System.lineSeparator();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
