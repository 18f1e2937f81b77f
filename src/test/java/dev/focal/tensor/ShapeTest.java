package dev.focal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Shapes as numpy strides, unravels, moves and prints them (tools/oracle/tensor_oracle.py). */
class ShapeTest {
    private static final Path FIXTURE = Path.of("src/test/resources/tensor/shapes.json");

    private static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asLong();
        }
        return v;
    }

    @Test
    void everyShapeIsNumpys() throws IOException {
        for (JsonNode e : new ObjectMapper().readTree(FIXTURE.toFile())) {
            long[] dims = longs(e.get("dims"));
            Shape s = Shape.of(dims);
            String name = e.get("repr").asText();
            assertEquals(name, s.toString());
            assertEquals(dims.length, s.rank(), name);
            assertEquals(e.get("count").asLong(), s.count(), name);
            assertEquals(Arrays.toString(dims), Arrays.toString(s.dims()), name);
            for (int axis = 0; axis < dims.length; axis++) {
                assertEquals(dims[axis], s.dim(axis), name);
            }
            if (e.has("c_strides")) {
                assertEquals(Arrays.toString(longs(e.get("c_strides"))), Arrays.toString(s.cStrides()), name + " C");
                assertEquals(Arrays.toString(longs(e.get("f_strides"))), Arrays.toString(s.fStrides()), name + " F");
            }
            for (JsonNode u : e.path("unravel")) {
                assertEquals(Arrays.toString(longs(u.get(1))), Arrays.toString(s.unravel(u.get(0).asLong())),
                        name + " flat " + u.get(0));
                assertEquals(Arrays.toString(longs(u.get(1))).replace(" ", ""),
                        Shape.indexString(s.unravel(u.get(0).asLong())).replace(" ", ""), name);
            }
            for (JsonNode m : e.get("moved_last")) {
                assertEquals(Arrays.toString(longs(m.get(1))), Arrays.toString(Shape.movedLast(dims, m.get(0).asInt())),
                        name + " axis " + m.get(0));
            }
        }
    }

    @Test
    void aShapeIsItsDimsAndKeepsThem() {
        long[] dims = {2, 3};
        Shape s = Shape.of(dims);
        dims[0] = 9;
        s.dims()[1] = 9;
        assertEquals("(2, 3)", s.toString());
        assertEquals(Shape.of(2, 3), s);
        assertEquals(Shape.of(2, 3).hashCode(), s.hashCode());
        assertNotEquals(Shape.of(3, 2), s);
        assertNotEquals(s, "(2, 3)");
        assertEquals(Shape.of(), Shape.scalar());
        assertEquals("[2, 3]", Shape.indexString(new long[] {2, 3}));
        assertEquals("[]", Shape.indexString(new long[0]));
    }

    @Test
    void negativeOrOverflowingShapesAreRefusedByName() {
        assertEquals("negative dimension -1 in shape (2, -1)",
                assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1)).getMessage());
        assertEquals("shape (4294967296, 4294967296) has more than 2^63 elements",
                assertThrows(IllegalArgumentException.class, () -> Shape.of(1L << 32, 1L << 32)).getMessage());
        assertEquals(Long.MAX_VALUE, Shape.of(Long.MAX_VALUE, 1).count(), "2^63 - 1 elements fit");
        assertEquals(0, Shape.of(Long.MAX_VALUE, 0, Long.MAX_VALUE).count(), "an empty axis leaves no element, whatever the others");
    }
}
