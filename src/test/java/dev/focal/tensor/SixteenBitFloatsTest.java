package dev.focal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * bfloat16 widened and rounded as PyTorch does (tools/fixtures/bfloat16_fixtures.py), float16 as
 * numpy does (tools/oracle/tensor_oracle.py): every pattern fixture lists, bit for bit.
 */
class SixteenBitFloatsTest {
    private static final Path DIR = Path.of("src/test/resources/tensor");

    private static JsonNode fixture(String name) throws IOException {
        return new ObjectMapper().readTree(DIR.resolve(name).toFile());
    }

    /** Each {"bits", "float_bits"} entry of the fixture: the pattern read as the float the library gave. */
    private static void widensAsFixture(DType dtype, String name) throws IOException {
        Tensor t = Tensor.allocate(dtype, Shape.of(1));
        for (JsonNode e : fixture(name)) {
            t.setRawBits(0, e.get("bits").asLong());
            float want = Float.intBitsToFloat((int) e.get("float_bits").asLong());
            float got = (float) t.getDouble(0);
            // Through a double a signalling NaN comes out quiet; .npy output copies bits, not values.
            assertEquals(Float.isNaN(want) ? Float.NaN : want, Float.isNaN(got) ? Float.NaN : got,
                    dtype + " pattern " + e.get("bits"));
        }
    }

    /** Each {"double", "bits"} entry of the fixture: the double rounded to the library's bits. */
    private static void roundsAsFixture(DType dtype, String name) throws IOException {
        Tensor t = Tensor.allocate(dtype, Shape.of(1));
        for (JsonNode e : fixture(name)) {
            String text = e.get("double").asText();
            double d = text.equals("nan") ? Double.NaN : text.equals("inf") ? Double.POSITIVE_INFINITY
                    : text.equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(text);
            t.setDouble(0, d);
            if (Double.isNaN(d)) {
                assertEquals(true, Double.isNaN(t.getDouble(0)), "a NaN's payload is not kept, only that it is one");
            } else {
                assertEquals(e.get("bits").asLong(), t.rawBits(0), dtype + " " + text);
            }
        }
    }

    @Test
    void bfloat16WidensEveryPatternAsTorchDoes() throws IOException {
        widensAsFixture(DType.BFLOAT16, "bfloat16_widening.json");
    }

    @Test
    void bfloat16RoundsDoublesAsTorchDoes() throws IOException {
        roundsAsFixture(DType.BFLOAT16, "bfloat16_rounding.json");
    }

    @Test
    void float16WidensEveryPatternAsNumpyDoes() throws IOException {
        widensAsFixture(DType.FLOAT16, "float16_widening.json");
    }

    @Test
    void float16RoundsDoublesAsNumpyDoesInOneStep() throws IOException {
        roundsAsFixture(DType.FLOAT16, "float16_rounding.json");
    }

    @Test
    void bfloat16IsAFloatNumpyLacks() {
        assertEquals(true, DType.BFLOAT16.isFloat());
        assertEquals(false, DType.BFLOAT16.inNumpy());
        assertEquals(DType.FLOAT16, DType.of('f', 2), "numpy's 'f2' is float16");
        assertEquals(DType.BFLOAT16, DType.byName("bfloat16"));
    }
}
