package dev.focal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * A --class-axis output (docs/semantics.md#class-axis) against numpy's moveaxis
 * (tools/oracle/tensor_oracle.py): the elements, written in the loss's order (the class axis
 * last) in blocks of whole rows, land where {@code np.moveaxis(a, -1, axis)} has them. Blocks of
 * every size from one row, and one block followed by all the rest, so that a class's values go
 * in runs that start and end inside an outer position's rows and cross from one to the next.
 */
class AxisRestoringSinkTest {
    /**
     * Writes the rows in blocks of {@code blockRows}, or, with {@code firstBlockOnly}, one block of
     * that many and then the rest in one (as an evaluation's threads split the anchors).
     */
    private static void writeInBlocks(TensorSink sink, long[] moved, int blockRows, boolean firstBlockOnly,
                                      boolean floats) {
        long width = moved[moved.length - 1];
        int rows = (int) (Shape.of(moved).count() / width);
        for (int r0 = 0, n; r0 < rows; r0 += n) {
            n = firstBlockOnly && r0 > 0 ? rows - r0 : Math.min(blockRows, rows - r0);
            float[] src = new float[(int) (n * width)];
            double[] columns = new double[src.length];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < width; c++) {
                    // np.arange: each element's value is its index in the moved layout.
                    long v = (r0 + r) * width + c;
                    src[(int) (r * width + c)] = v;
                    columns[c * n + r] = v;
                }
            }
            if (floats) {
                sink.writeFloats(r0 * width, src, src.length);
            } else {
                sink.writeColumns(r0 * width, columns, n, (int) width);
            }
        }
    }

    @Test
    void blocksOfEverySizeLandWhereNumpysMoveaxisPutsThem() throws IOException {
        for (JsonNode e : TensorTest.fixture("axis_restoring.json")) {
            long[] dims = TensorTest.longs(e.get("dims"));
            long[] moved = TensorTest.longs(e.get("moved_dims"));
            int axis = e.get("axis").asInt();
            JsonNode restored = e.get("restored");
            int rows = restored.size() / (int) dims[axis];
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int block = 1; block <= rows; block++) {
                    for (int variant = 0; variant < 4; variant++) {
                        boolean floats = variant % 2 == 0;
                        boolean firstBlockOnly = variant >= 2;
                        String name = Shape.of(dims) + " axis " + axis + " " + dtype
                                + (firstBlockOnly ? " a block of " + block + ", then the rest" : " blocks of " + block)
                                + (floats ? " floats" : " columns");
                        Storage s = Storage.allocate(restored.size() * (long) dtype.itemSize(),
                                ByteOrder.LITTLE_ENDIAN, 4);
                        Tensor target = new Tensor(dtype, Shape.of(dims), false, s);
                        TensorSink sink = AxisRestoringSink.of(target, axis);
                        assertEquals(Shape.of(moved), sink.shape(), name);
                        assertEquals(dtype, sink.dtype(), name);
                        writeInBlocks(sink, moved, block, firstBlockOnly, floats);
                        for (int i = 0; i < restored.size(); i++) {
                            assertEquals(restored.get(i).asDouble(), target.getDouble(i), name + " element " + i);
                        }
                    }
                }
                assertEquals(Shape.of(dims), AxisRestoringSink.restored(Shape.of(moved), axis), "restored shape");
            }
        }
    }

    /** Where the classes are already last, or nothing is written, the target takes the writes itself. */
    @Test
    void theTargetItselfWhereNoAxisMoves() {
        Tensor t = Tensor.allocate(DType.FLOAT32, Shape.of(2, 3, 4));
        assertNotSame(t, AxisRestoringSink.of(t, 0));
        assertNotSame(t, AxisRestoringSink.of(t, 1));
        assertSame(t, AxisRestoringSink.of(t, 2), "the last axis");
        assertSame(t, AxisRestoringSink.of(t, -1), "no class axis");
        Tensor empty = Tensor.allocate(DType.FLOAT32, Shape.of(2, 0, 4));
        assertSame(empty, AxisRestoringSink.of(empty, 1), "no element");
        assertNull(AxisRestoringSink.of(null, 1), "no output asked for");
        Shape s = Shape.of(2, 4, 3);
        assertSame(s, AxisRestoringSink.restored(s, 2));
        assertSame(s, AxisRestoringSink.restored(s, -1));
    }
}
