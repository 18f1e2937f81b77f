package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class CompareCommandTest {
    static final Path DIR = Path.of("src/test/resources/compare");
    static final Path PAIRS = DIR.resolve("pairs");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    Path tmp;

    static String expected(String pair) {
        return PAIRS.resolve(pair + ".expected.npy").toString();
    }

    static String actual(String pair) {
        return PAIRS.resolve(pair + ".actual.npy").toString();
    }

    static JsonNode oracle(String name) throws IOException {
        for (JsonNode c : JSON.readTree(DIR.resolve("expected.json").toFile()).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no oracle case " + name);
    }

    @Test
    void closeIsExitZero() {
        Cli r = Cli.run("compare", expected("f32_at_tolerance"), actual("f32_at_tolerance"));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("close: yes \u2014 all 12 elements within rtol=1.3e-06, atol=1e-05\n"), r.out);
        assertEquals("", r.err);
    }

    @Test
    void readableReportShowsCountsIndicesValuesAndPassingTolerances() throws IOException {
        Cli r = Cli.run("compare", expected("f32_above_3d"), actual("f32_above_3d"));
        assertEquals(1, r.code, r.toString());
        JsonNode torch = oracle("f32_above_3d").get("torch");
        List<String> lines = r.out.lines().toList();
        assertEquals("close: no \u2014 3 of 1,200 elements (0.25%) differ beyond rtol=1.3e-06, atol=1e-05", lines.get(0));
        assertEquals("  expected: " + expected("f32_above_3d") + ", float32 (4, 50, 6)", lines.get(1));
        assertEquals("  mismatched: 3 finite, 0 NaN, 0 infinity; the first at [0, 1, 1]", lines.get(3));
        assertEquals("  greatest absolute difference (of the mismatched elements): 0.0001449585 at "
                + torch.get("max_abs_diff").get("index") .toString().replace(",", ", ")
                + " (expected 100.0, actual 99.999855)", lines.get(4));
        assertTrue(lines.get(5).startsWith("  greatest relative difference (of the mismatched elements): 8.701597e-06 at"
                + " [3, 16, 5] (expected "), lines.get(5));
        assertEquals("  would pass with rtol >= 1.35e-06 (at atol 1e-05) or atol >= 1.5e-05 (at rtol 1.3e-06)",
                lines.get(7));
        assertTrue(lines.get(6).startsWith("  " + String.format(java.util.Locale.ROOT, "%,d",
                torch.get("atol_only").asLong()) + " close only by atol: relative difference above rtol=1.3e-06, the"
                + " first at "), lines.get(6));
    }

    @Test
    void suggestedTolerancesPassAsPrinted() {
        Cli r = Cli.run("compare", "--rtol", "1.35e-06", "--atol", "1e-05", expected("f32_above_3d"), actual("f32_above_3d"));
        assertEquals(0, r.code, r.toString());
        r = Cli.run("compare", "--rtol", "1.3e-06", "--atol", "1.5e-05", expected("f32_above_3d"), actual("f32_above_3d"));
        assertEquals(0, r.code, r.toString());
    }

    @Test
    void jsonHasTheIssuesKeysAndTorchsNumbers() throws IOException {
        Cli r = Cli.run("compare", "--json", expected("f32_above_3d"), actual("f32_above_3d"));
        assertEquals(1, r.code, r.toString());
        JsonNode j = JSON.readTree(r.out);
        JsonNode c = oracle("f32_above_3d");
        JsonNode torch = c.get("torch");
        for (String key : new String[] {"close", "total", "mismatched", "max_abs_diff", "max_rel_diff", "rtol", "atol",
            "first_mismatch", "nan_mismatches", "inf_mismatches", "shape_expected", "shape_actual", "dtype_expected",
            "dtype_actual", "min_rtol", "min_atol", "equal_nan"}) {
            assertTrue(j.has(key), key);
        }
        assertFalse(j.get("close").asBoolean());
        assertEquals(1200, j.get("total").asLong());
        assertEquals(torch.get("mismatched").asLong(), j.get("mismatched").asLong());
        assertEquals(0.25, j.get("mismatched_percent").asDouble());
        assertEquals(torch.get("max_abs_diff").get("value").asDouble(), j.get("max_abs_diff").get("value").asDouble());
        assertEquals(torch.get("max_abs_diff").get("index"), j.get("max_abs_diff").get("index"));
        assertEquals(100.0, j.get("max_abs_diff").get("expected").asDouble());
        assertEquals(torch.get("max_rel_diff").get("index"), j.get("max_rel_diff").get("index"));
        assertEquals(c.get("min_rtol").asDouble(), j.get("min_rtol").asDouble());
        assertEquals(c.get("min_atol").asDouble(), j.get("min_atol").asDouble());
        assertEquals(1.3e-6, j.get("rtol").asDouble());
        assertEquals("[4,50,6]", j.get("shape_actual").toString());
        assertEquals("float32", j.get("dtype_expected").asText());
        assertEquals("mismatched", j.get("differences_over").asText());
    }

    @Test
    void nanAndInfinityMismatchesInJsonAndText() throws IOException {
        Cli r = Cli.run("compare", "--json", expected("nan_vs_number"), actual("nan_vs_number"));
        assertEquals(1, r.code, r.toString());
        JsonNode j = JSON.readTree(r.out);
        assertEquals(2, j.get("nan_mismatches").asLong());
        assertEquals(0, j.get("inf_mismatches").asLong());
        assertTrue(j.get("min_rtol").isNull());
        assertEquals("[1]", j.get("first_mismatch").toString());

        r = Cli.run("compare", expected("nan_vs_nan"), actual("nan_vs_nan"));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.out.contains("2 NaN (2 NaN against NaN, which --equal-nan accepts)"), r.out);
        assertEquals(0, Cli.run("compare", "--equal-nan", expected("nan_vs_nan"), actual("nan_vs_nan")).code);

        r = Cli.run("compare", expected("inf_vs_neg_inf"), actual("inf_vs_neg_inf"));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.out.contains("0 finite, 0 NaN, 1 infinity; the first at [1]"), r.out);
        assertTrue(r.out.contains("no tolerance makes NaN or infinity mismatches close"), r.out);
    }

    @Test
    void differentShapesAreAMismatchShowingBoth() throws IOException {
        Cli r = Cli.run("compare", expected("shape_2x3_3x2"), actual("shape_2x3_3x2"));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.out.startsWith("close: no \u2014 shapes differ: expected (2, 3), actual (3, 2)\n"), r.out);
        JsonNode j = JSON.readTree(Cli.run("compare", "--json", expected("shape_scalar_1"), actual("shape_scalar_1")).out);
        assertEquals("[]", j.get("shape_expected").toString());
        assertEquals("[1]", j.get("shape_actual").toString());
        assertTrue(j.get("total").isNull());
        assertTrue(j.get("max_abs_diff").isNull());
    }

    @Test
    void int64ValuesShowExactly() throws IOException {
        Cli r = Cli.run("compare", expected("int64_off_by_one"), actual("int64_off_by_one"));
        assertEquals(1, r.code, r.toString());
        assertTrue(r.out.contains("rtol=0.0, atol=0.0"), r.out);
        assertTrue(r.out.contains("(expected 4611686018427387904, actual 4611686018427387905)"), r.out);
        JsonNode j = JSON.readTree(Cli.run("compare", "--json", expected("int64_off_by_one"), actual("int64_off_by_one")).out);
        assertEquals(4611686018427387905L, j.get("max_abs_diff").get("actual").asLong());
        assertTrue(j.get("max_abs_diff").get("actual").isIntegralNumber());
    }

    @Test
    void npyJsonAndNpzMembersCompare() {
        String npz = DIR.resolve("bundle.npz").toString();
        String json = DIR.resolve("bundle.json").toString();
        for (String[] pair : new String[][] {
            {npz + ":expected", json + ":actual"},
            {json + ":expected", actual("f32_above_3d")},
            {expected("f32_above_3d"), npz + ":actual"},
            {npz + ":expected", actual("f32_above_3d_fortran")}}) {
            Cli r = Cli.run("compare", pair[0], pair[1]);
            assertEquals(1, r.code, r.toString());
            assertTrue(r.out.startsWith("close: no \u2014 3 of 1,200 elements"), r.out);
            assertTrue(r.out.contains("at [0, 1, 1] (expected 100.0, actual 99.999855)"), r.out);
        }
        Cli same = Cli.run("compare", json + ":expected", npz + ":expected");
        assertEquals(0, same.code, same.toString());
    }

    @Test
    void mixedFloatDtypesCompareInDoubleWithTheLargerTolerances() {
        Cli r = Cli.run("compare", expected("f16_f32_at_tolerance"), actual("f16_f32_at_tolerance"));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("rtol=0.001, atol=1e-05"), r.out);
        assertTrue(r.out.contains("float16 (3, 4)") && r.out.contains("float32 (3, 4)"), r.out);
        assertEquals(1, Cli.run("compare", expected("f16_f32_one_ulp_over"), actual("f16_f32_one_ulp_over")).code);
    }

    @Test
    void toleranceOptionsAreUsageErrors() {
        String e = expected("f32_at_tolerance");
        String a = actual("f32_at_tolerance");
        Cli r = Cli.run("compare", "--rtol", "1e-3", e, a);
        assertEquals(2, r.code, r.toString());
        assertEquals("focal: --rtol and --atol must be given together, as in torch.testing.assert_close\n", r.err);
        assertEquals(2, Cli.run("compare", "--atol", "1e-3", e, a).code);
        assertEquals(2, Cli.run("compare", "--rtol", "-1", "--atol", "0", e, a).code);
        assertEquals(2, Cli.run("compare", "--rtol", "NaN", "--atol", "0", e, a).code);
        assertEquals(2, Cli.run("compare", "--rtol", "0", "--atol", "Infinity", e, a).code);
        assertEquals(2, Cli.run("compare", "--rtol", "x", "--atol", "0", e, a).code);
        assertEquals(2, Cli.run("compare", e).code);
        assertEquals(0, Cli.run("compare", "--rtol", "0", "--atol", "1", e, a).code);
    }

    @Test
    void unreadableInputsAreExitThree() throws IOException {
        Cli r = Cli.run("compare", "missing.npy", actual("f32_at_tolerance"));
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: missing.npy: no such file\n", r.err);
        Path junk = Files.writeString(tmp.resolve("junk.npy"), "\u0093NUMPY garbage");
        assertEquals(3, Cli.run("compare", expected("f32_at_tolerance"), junk.toString()).code);
        Cli key = Cli.run("compare", DIR.resolve("bundle.npz") + ":nope", expected("f32_above_3d"));
        assertEquals(3, key.code, key.toString());
        assertTrue(key.err.startsWith("focal: "), key.err);
    }

    @Test
    void junitReportValidatesAgainstTheSchema() throws Exception {
        Path xml = tmp.resolve("out/compare.xml");
        Files.createDirectories(xml.getParent());
        Cli r = Cli.run("compare", "--junit", xml.toString(), expected("f32_above_3d"), actual("f32_above_3d"));
        assertEquals(1, r.code, r.toString());
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(DIR.resolve("junit.xsd").toFile())
                .newValidator().validate(new StreamSource(xml.toFile()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element testcase = (Element) doc.getElementsByTagName("testcase").item(0);
        assertEquals(expected("f32_above_3d") + " vs " + actual("f32_above_3d"), testcase.getAttribute("name"));
        assertEquals("focal.compare", testcase.getAttribute("classname"));
        Element failure = (Element) testcase.getElementsByTagName("failure").item(0);
        assertEquals("3 of 1,200 elements (0.25%) differ beyond rtol=1.3e-06, atol=1e-05", failure.getAttribute("message"));
        assertEquals(r.out, failure.getTextContent());

        Cli pass = Cli.run("compare", "--junit", xml.toString(), expected("f32_at_tolerance"), actual("f32_at_tolerance"));
        assertEquals(0, pass.code, pass.toString());
        Document passed = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        assertEquals(0, passed.getElementsByTagName("failure").getLength());
        assertEquals("0", ((Element) passed.getElementsByTagName("testsuite").item(0)).getAttribute("failures"));
    }

    @Test
    void junitNamingAnInputIsRefused() throws IOException {
        Path in = tmp.resolve("in.npy");
        Files.copy(Path.of(actual("f32_at_tolerance")), in);
        byte[] before = Files.readAllBytes(in);
        Cli r = Cli.run("compare", "--junit", in.toString(), expected("f32_at_tolerance"), in.toString());
        assertEquals(2, r.code, r.toString());
        assertEquals("focal: " + in + ": is an input file; refusing to overwrite it\n", r.err);
        assertArrayEquals(before, Files.readAllBytes(in));
        Cli member = Cli.run("compare", "--junit", DIR.resolve("bundle.npz").toString(),
                DIR.resolve("bundle.npz") + ":expected", expected("f32_above_3d"));
        assertEquals(2, member.code, member.toString());
        assertEquals(2, Cli.run("compare", "--junit", tmp.toString(), expected("empty"), actual("empty")).code);
    }

    @Test
    void unwritableJunitIsExitFour() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "");
        Cli r = Cli.run("compare", "--junit", file.resolve("x.xml").toString(), expected("empty"), actual("empty"));
        assertEquals(4, r.code, r.toString());
        assertEquals(1, r.err.lines().count(), r.err);
    }
}
