package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code focal inspect}'s figures of one array against numpy's (tools/oracle/stats_oracle.py):
 * nanmin, nanmax, the mean of the finite values widened to float64, the NaN and infinity counts,
 * and the exact extremes of integers, uint64 above 2^63 among them
 * (docs/commands.md#focal-inspect-file).
 */
class TensorSummaryTest {
    static final Path FIXTURE = Path.of("src/test/resources/stats/tensor_summary.json");

    /** A float.hex, or nan, inf, -inf, as the generator writes them. */
    static double number(JsonNode n) {
        String s = n.asText();
        switch (s) {
            case "nan": return Double.NaN;
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            default: return Double.parseDouble(s);
        }
    }

    /** numpy's figure, or NaN where numpy has none (null in the fixture). */
    private static double orNaN(JsonNode n) {
        return n.isNull() ? Double.NaN : number(n);
    }

    private static long bits(JsonNode n) {
        return new BigInteger(n.asText()).longValue();
    }

    private static Tensor tensor(JsonNode c) {
        DType dtype = DType.byName(c.get("dtype").asText());
        JsonNode values = c.get("values");
        Tensor t = Tensor.allocate(dtype, Shape.of(values.size()));
        for (int i = 0; i < values.size(); i++) {
            if (dtype.isFloat()) {
                t.setDouble(i, number(values.get(i)));
            } else {
                t.setRawBits(i, bits(values.get(i)));
            }
        }
        return t;
    }

    @Test
    void everyArrayHasNumpysFigures() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(FIXTURE.toFile()).get("cases");
        assertTrue(cases.size() >= 10, "the fixture lists its cases");
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            TensorSummary s = TensorSummary.of(tensor(c));
            assertEquals(c.get("count").asLong(), s.count, name);
            assertEquals(c.get("nan").asLong(), s.nan, name);
            assertEquals(c.get("posinf").asLong(), s.posInf, name);
            assertEquals(c.get("neginf").asLong(), s.negInf, name);
            assertEquals(orNaN(c.get("min")), s.min, name + " min");
            assertEquals(orNaN(c.get("max")), s.max, name + " max");
            assertEquals(orNaN(c.get("mean")), s.mean, name + " mean");
            if (c.has("min_integer") && !c.get("min_integer").isNull()) {
                assertEquals(bits(c.get("min_integer")), s.minInteger, name + " exact min");
                assertEquals(bits(c.get("max_integer")), s.maxInteger, name + " exact max");
            }
        }
    }
}
