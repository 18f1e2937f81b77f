package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** What numpy made of a file, as the fixture scripts record it in their manifests. */
public final class NumpyView {
    private NumpyView() {
    }

    /** Checks dtype, shape, order and every value against what numpy read from the same file. */
    public static void assertMatchesNumpy(JsonNode expected, Tensor t) {
        assertEquals(expected.get("dtype").asText(), t.dtype().numpyName());
        List<Long> shape = new ArrayList<>();
        expected.get("shape").forEach(n -> shape.add(n.asLong()));
        assertArrayEquals(shape.stream().mapToLong(Long::longValue).toArray(), t.shape().dims());
        JsonNode values = expected.get("values");
        assertEquals(values.size(), t.count());
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).asText();
            if (t.dtype().isFloat()) {
                double want = Double.parseDouble(v);
                double got = t.getDouble(i);
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                        "element " + i + ": expected " + want + ", got " + got);
            } else if (t.dtype() == DType.UINT64) {
                assertEquals(Long.parseUnsignedLong(v), t.getLong(i), "element " + i);
            } else {
                assertEquals(Long.parseLong(v), t.getLong(i), "element " + i);
            }
        }
    }

}
