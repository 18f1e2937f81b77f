package dev.focal.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The field-by-field rules of an {@code --expect-stats} golden (docs/semantics.md), each on the
 * smallest summary that shows it; the commands' tests check the same on real summaries.
 */
class GoldenStatsTest {
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    static final Tolerance TOL = new Tolerance(0.01, 0);

    static List<String> mismatches(String golden, String current, Tolerance tolerance, boolean equalNan)
            throws JsonProcessingException {
        return GoldenStats.compare(JSON.readTree(golden), JSON.readTree(current), tolerance, equalNan).stream()
                .map(GoldenStats.Mismatch::toString).toList();
    }

    static List<String> mismatches(String golden, String current) throws JsonProcessingException {
        return mismatches(golden, current, TOL, false);
    }

    @Test
    void fieldsThatNameFilesAreIgnoredAndNewFieldsToo() throws Exception {
        assertEquals(List.of(), mismatches("{\"weights_source\":\"/a/w.npy\",\"labels\":{\"file\":\"/a/l.npy\"}}",
                "{\"weights_source\":\"/b/w.npy\",\"labels\":{\"file\":\"/b/l.npy\"},\"added\":1}"));
        assertEquals(List.of("labels.kind: golden \"a\", now \"b\""),
                mismatches("{\"labels\":{\"file\":\"x\",\"kind\":\"a\"}}", "{\"labels\":{\"file\":\"y\",\"kind\":\"b\"}}"));
        // Only the file field of labels is a location; a top-level "file" is compared.
        assertEquals(List.of("file: golden \"x\", now \"y\""), mismatches("{\"file\":\"x\"}", "{\"file\":\"y\"}"));
    }

    @Test
    void aFieldTheCurrentSummaryLacksIsReported() throws Exception {
        assertEquals(List.of("loss.sum: golden 1.5, now (absent)", "count: golden [1,2], now (absent)"),
                mismatches("{\"loss\":{\"sum\":1.5},\"count\":[1,2]}", "{\"loss\":{}}"));
    }

    @Test
    void arraysCompareTheirLengthThenEachEntry() throws Exception {
        assertEquals(List.of("top: golden 2 entries, now 3 entries"), mismatches("{\"top\":[1,2]}", "{\"top\":[1,2,3]}"));
        assertEquals(List.of("top[1]: golden 2, now 4", "top[2].i: golden 3, now 5"),
                mismatches("{\"top\":[1,2,{\"i\":3}]}", "{\"top\":[1,4,{\"i\":5}]}"));
        assertEquals(List.of(), mismatches("[]", "[]"));
    }

    @Test
    void integersAreExactEvenWhereTheToleranceWouldAllowAndDoublesAgree() throws Exception {
        Tolerance wide = new Tolerance(1, 10);
        assertEquals(List.of("n: golden 5, now 6"), mismatches("{\"n\":5}", "{\"n\":6}", wide, false));
        // 2^53 + 1 and 2^53 are the same double.
        assertEquals(List.of("n: golden 9007199254740993, now 9007199254740992"),
                mismatches("{\"n\":9007199254740993}", "{\"n\":9007199254740992}", wide, false));
        assertEquals(List.of(), mismatches("{\"n\":18446744073709551615}", "{\"n\":18446744073709551615}"));
    }

    @Test
    void otherNumbersAreCloseWithinTheToleranceOfTheGolden() throws Exception {
        // |c - g| <= atol + rtol * |g|: 0.5 <= 0.01 * 100 for a negative golden as for a positive one.
        assertEquals(List.of(), mismatches("{\"x\":-100}", "{\"x\":-100.5}"));
        assertEquals(List.of(), mismatches("{\"x\":100.0}", "{\"x\":101}"));
        assertEquals(List.of("x: golden -100, now -101.5"), mismatches("{\"x\":-100}", "{\"x\":-101.5}"));
        // The tolerance scales with the golden, not the current value: 0.01 * 1 < 0.0101 < 0.01 * 1.0101.
        assertEquals(List.of("x: golden 1.0, now 1.0101"), mismatches("{\"x\":1.0}", "{\"x\":1.0101}"));
        assertEquals(List.of(), mismatches("{\"x\":0}", "{\"x\":0.0}", new Tolerance(0, 0), false));
    }

    @Test
    void infinitiesMatchOnlyThemselves() throws Exception {
        Tolerance wide = new Tolerance(1, 1e308);
        assertEquals(List.of(), mismatches("{\"x\":\"Infinity\"}", "{\"x\":\"Infinity\"}", wide, false));
        assertEquals(List.of(), mismatches("{\"x\":\"-Infinity\"}", "{\"x\":-Infinity}", wide, false));
        assertEquals(List.of("x: golden \"Infinity\", now \"-Infinity\""),
                mismatches("{\"x\":\"Infinity\"}", "{\"x\":\"-Infinity\"}", wide, false));
        assertEquals(List.of("x: golden \"Infinity\", now 1.0E308"),
                mismatches("{\"x\":\"Infinity\"}", "{\"x\":1e308}", wide, false));
        assertEquals(List.of("x: golden 1.0E308, now \"Infinity\""),
                mismatches("{\"x\":1e308}", "{\"x\":\"Infinity\"}", wide, false));
    }

    @Test
    void nanMatchesNanOnlyWithEqualNan() throws Exception {
        assertEquals(List.of("x: golden \"NaN\", now \"NaN\""), mismatches("{\"x\":\"NaN\"}", "{\"x\":\"NaN\"}"));
        assertEquals(List.of(), mismatches("{\"x\":\"NaN\"}", "{\"x\":\"NaN\"}", TOL, true));
        // A bare NaN token of an old golden is the same NaN.
        assertEquals(List.of(), mismatches("{\"x\":NaN}", "{\"x\":\"NaN\"}", TOL, true));
        assertEquals(List.of("x: golden \"NaN\", now 1.0"), mismatches("{\"x\":\"NaN\"}", "{\"x\":1.0}", TOL, true));
        assertEquals(List.of("x: golden 1.0, now \"NaN\""), mismatches("{\"x\":1.0}", "{\"x\":\"NaN\"}", TOL, true));
    }

    @Test
    void anUndefinedFigureMatchesNullOrAnOldGoldensBareNan() throws Exception {
        assertEquals(List.of(), mismatches("{\"m\":null}", "{\"m\":null}"));
        assertEquals(List.of(), mismatches("{\"m\":NaN}", "{\"m\":null}"));
        assertEquals(List.of("m: golden null, now 0.5"), mismatches("{\"m\":null}", "{\"m\":0.5}"));
        assertEquals(List.of("m: golden 0.5, now null"), mismatches("{\"m\":0.5}", "{\"m\":null}"));
        assertEquals(List.of("m: golden null, now \"NaN\""), mismatches("{\"m\":null}", "{\"m\":NaN}"));
        // A NaN written as a string was a figure, not an undefined one.
        assertEquals(List.of("m: golden \"NaN\", now null"), mismatches("{\"m\":\"NaN\"}", "{\"m\":null}", TOL, true));
    }

    @Test
    void textAndMixedKindsCompareExactly() throws Exception {
        assertEquals(List.of(), mismatches("{\"k\":\"sum\"}", "{\"k\":\"sum\"}"));
        assertEquals(List.of("k: golden \"sum\", now \"mean\""), mismatches("{\"k\":\"sum\"}", "{\"k\":\"mean\"}"));
        assertEquals(List.of("k: golden \"1\", now 1"), mismatches("{\"k\":\"1\"}", "{\"k\":1}"));
        assertEquals(List.of("k: golden {\"a\":1}, now 1"), mismatches("{\"k\":{\"a\":1}}", "{\"k\":1}"));
        assertEquals(List.of("k: golden [1], now {\"a\":1}"), mismatches("{\"k\":[1]}", "{\"k\":{\"a\":1}}"));
        assertEquals(List.of("k: golden true, now false"), mismatches("{\"k\":true}", "{\"k\":false}"));
    }
}
