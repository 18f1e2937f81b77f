package dev.focal.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pair torch.testing.assert_close judged in tools/oracle/compare_oracle.py, judged again by focal. */
class CompareOracleTest {
    static final Path DIR = Path.of("src/test/resources/compare");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> list = new ArrayList<>();
        JSON.readTree(DIR.resolve("expected.json").toFile()).get("cases")
                .forEach(c -> list.add(Arguments.of(c.get("name").asText(), c)));
        return list.stream();
    }

    static ComparisonResult compare(JsonNode c) {
        Tensor expected = TensorIO.read(new TensorRef(DIR.resolve("pairs").resolve(c.get("expected").asText()).toString(), null));
        Tensor actual = TensorIO.read(new TensorRef(DIR.resolve("pairs").resolve(c.get("actual").asText()).toString(), null));
        Tolerance tol = c.get("rtol").isNull() ? Tolerance.defaults(expected.dtype(), actual.dtype())
                : new Tolerance(c.get("rtol").asDouble(), c.get("atol").asDouble());
        return TensorComparison.compare(expected, actual, tol, c.get("equal_nan").asBoolean());
    }

    @Test
    void oracleCoversTheBoundaries() throws IOException {
        assertTrue(cases().count() >= 40);
        assertTrue(cases().anyMatch(a -> a.get()[0].equals("f16_f32_one_ulp_over")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdictCountsAndTolerancesAsTorch(String name, JsonNode c) {
        JsonNode torch = c.get("torch");
        ComparisonResult r = compare(c);
        assertEquals(torch.get("rtol").asDouble(), r.tolerance().rtol(), "rtol used");
        assertEquals(torch.get("atol").asDouble(), r.tolerance().atol(), "atol used");
        JsonNode verdict = c.get("focal_differs").isNull() ? torch : c.get("focal");
        assertEquals(verdict.get("passed").asBoolean(), r.close(), "close");
        if ("shape".equals(torch.get("attribute").asText(null))) {
            assertFalse(r.shapesMatch());
            assertEquals(0, r.total());
            assertNull(r.maxAbsDiff());
            assertTrue(r.minRtol().isEmpty());
            return;
        }
        assertTrue(r.shapesMatch());
        assertEquals(torch.get("total").asLong(), r.total(), "total");
        assertEquals(verdict.get("mismatched").asLong(), r.mismatched(), "mismatched");
        if (c.get("focal_differs").isNull()) {
            assertEquals(torch.get("atol_only").asLong(), r.atolOnly(), "close only because of atol");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greatestDifferencesAsTorchWhereTorchsAreNumbers(String name, JsonNode c) {
        JsonNode torch = c.get("torch");
        if (torch.get("max_abs_diff").isNull() || !c.get("focal_differs").isNull()) {
            return;
        }
        ComparisonResult r = compare(c);
        for (String key : new String[] {"max_abs_diff", "max_rel_diff"}) {
            JsonNode t = torch.get(key);
            Difference d = key.equals("max_abs_diff") ? r.maxAbsDiff() : r.maxRelDiff();
            if (Double.isNaN(t.get("value").asDouble()) || r.nanMismatches() + r.infMismatches() > 0) {
                // torch takes NaN and infinity mismatches into its maximum; focal counts them apart.
                assertTrue(r.nanMismatches() + r.infMismatches() > 0, key);
                continue;
            }
            assertTrue(r.diffsOverMismatched());
            assertEquals(t.get("value").asDouble(), d.value(), key + " value");
            assertArrayEquals(index(t.get("index")), d.index(), key + " index");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void smallestPassingTolerancesAsTheOracleBisection(String name, JsonNode c) {
        ComparisonResult r = compare(c);
        assertOptional(c.get("min_rtol"), r.minRtol(), "min_rtol");
        assertOptional(c.get("min_atol"), r.minAtol(), "min_atol");
    }

    private static void assertOptional(JsonNode expected, OptionalDouble actual, String what) {
        if (expected.isNull()) {
            assertTrue(actual.isEmpty(), what + " is not applicable");
        } else {
            assertEquals(expected.asDouble(), actual.orElseThrow(), what);
        }
    }

    private static long[] index(JsonNode list) {
        long[] idx = new long[list.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = list.get(i).asLong();
        }
        return idx;
    }
}
