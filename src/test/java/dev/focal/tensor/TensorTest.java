package dev.focal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tensors against numpy (tools/oracle/tensor_oracle.py): every dtype's casts, views made by
 * moveaxis and broadcast_to over C- and Fortran-order storage, read and written element by
 * element and in bulk, over storage in one window and in windows of 16 bytes, so that bulk
 * copies cross windows.
 */
class TensorTest {
    private static final Path DIR = Path.of("src/test/resources/tensor");
    /** 16-byte windows: two float64s, four float32s. */
    private static final int SMALL_WINDOWS = 4;

    static JsonNode fixture(String name) throws IOException {
        return new ObjectMapper().readTree(DIR.resolve(name).toFile());
    }

    /** Integers, or decimal strings of int64 or uint64 values (those above 2^63 as their bits). */
    static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            String s = a.get(i).asText();
            v[i] = s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
        }
        return v;
    }

    private static double number(JsonNode n) {
        String s = n.asText();
        return s.equals("nan") ? Double.NaN : s.equals("inf") ? Double.POSITIVE_INFINITY
                : s.equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(s);
    }

    @Test
    void namesKindsAndSizesAreNumpys() throws IOException {
        for (JsonNode e : fixture("dtypes.json")) {
            String name = e.get("name").asText();
            DType d = DType.byName(name);
            char kind = e.get("kind").asText().charAt(0);
            assertEquals(e.get("numpy_name").asText(), d.numpyName(), name);
            assertEquals(kind, d.kind(), name);
            assertEquals(e.get("itemsize").asInt(), d.itemSize(), name);
            assertEquals(kind == 'i' || kind == 'u', d.isInteger(), name + " integer");
            assertEquals(kind == 'f', d.isFloat(), name + " float");
            assertEquals(d, DType.of(kind, d.itemSize()), name);
        }
    }

    /** Each dtype's elements read as float64 and int64, and doubles stored, as numpy casts them. */
    @Test
    void everyDtypeCastsAsNumpy() throws IOException {
        for (JsonNode e : fixture("casts.json")) {
            DType d = DType.byName(e.get("dtype").asText());
            long[] bits = longs(e.get("bits"));
            long[] asInt = longs(e.get("as_int64"));
            Tensor t = Tensor.allocate(d, Shape.of(bits.length));
            for (int i = 0; i < bits.length; i++) {
                t.setRawBits(i, bits[i]);
            }
            for (int i = 0; i < bits.length; i++) {
                String what = d + " " + Long.toUnsignedString(bits[i]);
                assertEquals(bits[i], t.rawBits(i), what);
                assertEquals(number(e.get("as_double").get(i)), t.getDouble(i), what + " as float64");
                assertEquals(asInt[i], t.getLong(i), what + " as int64");
            }
            if (e.has("doubles")) {
                long[] stored = longs(e.get("stored_bits"));
                Tensor s = Tensor.allocate(d, Shape.of(stored.length));
                for (int i = 0; i < stored.length; i++) {
                    s.setDouble(i, number(e.get("doubles").get(i)));
                    assertEquals(Long.toUnsignedString(stored[i]), Long.toUnsignedString(s.rawBits(i)),
                            d + " from " + e.get("doubles").get(i).asText());
                }
            }
        }
    }

    /** A sink stores every NaN, whatever its sign and payload, as np.nan (TensorSink). */
    @Test
    void writtenNaNsAreNumpysNan() throws IOException {
        double[] nans = {Double.NaN, Double.longBitsToDouble(0xfff0000000000001L),
            Double.longBitsToDouble(0x7ff4000000abcdefL)};
        for (JsonNode e : fixture("casts.json")) {
            if (!e.has("nan_bits")) {
                continue;
            }
            DType d = DType.byName(e.get("dtype").asText());
            long want = Long.parseUnsignedLong(e.get("nan_bits").asText());
            Tensor t = Tensor.allocate(d, Shape.of(3, 2));
            t.writeColumns(0, new double[] {nans[0], nans[1], nans[2], 1, 2, 3}, 3, 2);
            for (int r = 0; r < 3; r++) {
                assertEquals(Long.toHexString(want), Long.toHexString(t.rawBits(2L * r)), d + " row " + r);
                assertEquals(r + 1, t.getDouble(2L * r + 1), d + " row " + r);
            }
        }
    }

    /** The fixture's storage: numpy's arange in C or Fortran order, as {@code dtype}. */
    private static Storage storage(JsonNode e, DType dtype, int shift) {
        JsonNode values = e.get("storage");
        Storage s = Storage.allocate((long) values.size() * dtype.itemSize(), ByteOrder.LITTLE_ENDIAN, shift);
        Tensor flat = new Tensor(dtype, Shape.of(values.size()), false, s);
        for (int i = 0; i < values.size(); i++) {
            flat.setDouble(i, values.get(i).asDouble());
        }
        return s;
    }

    /** The fixture's view of its storage, as its steps make it. */
    private static Tensor view(JsonNode e, Storage s, DType dtype) {
        Tensor t = new Tensor(dtype, Shape.of(longs(e.get("dims"))), e.get("order").asText().equals("F"), s);
        for (JsonNode step : e.get("steps")) {
            t = step.get(0).asText().equals("moveaxis") ? t.moveAxisLast(step.get(1).asInt())
                    : t.expand(Shape.of(longs(step.get(1))));
        }
        return t;
    }

    private static String name(JsonNode e, DType dtype, int shift) {
        return dtype + " " + Shape.of(longs(e.get("dims"))) + " " + e.get("order").asText() + " "
                + e.get("steps") + " windows 2^" + shift;
    }

    @Test
    void viewsReadAsNumpysInEveryPath() throws IOException {
        for (JsonNode e : fixture("views.json")) {
            double[] want = new double[e.get("values").size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = e.get("values").get(i).asDouble();
            }
            long[] after = longs(e.get("dims_after"));
            int width = (int) after[after.length - 1];
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT16}) {
                for (int shift : new int[] {Storage.WINDOW_SHIFT, SMALL_WINDOWS}) {
                    String name = name(e, dtype, shift);
                    Tensor t = view(e, storage(e, dtype, shift), dtype);
                    assertEquals(Shape.of(after), t.shape(), name);
                    assertEquals(e.get("order").asText().equals("F"), t.fortranOrder(), name);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], t.getDouble(i), name + " element " + i);
                    }
                    // From every start, every count: bulk copies start and end mid-window.
                    float[] scratch = new float[want.length];
                    for (int start = 0; start < want.length; start++) {
                        for (int n = 0; start + n <= want.length; n++) {
                            double[] got = new double[n];
                            t.readDoubles(start, got, n, scratch);
                            assertEquals(Arrays.toString(Arrays.copyOfRange(want, start, start + n)),
                                    Arrays.toString(got), name + " " + n + " from " + start);
                        }
                    }
                    for (int w : new int[] {1, width}) {
                        for (int row0 = 0; row0 * w < want.length; row0++) {
                            int rows = want.length / w - row0;
                            double[] got = new double[rows * w];
                            t.readColumns((long) row0 * w, rows, w, got, scratch, Transposer.SCALAR);
                            double[] columns = new double[rows * w];
                            for (int r = 0; r < rows; r++) {
                                for (int c = 0; c < w; c++) {
                                    columns[c * rows + r] = want[(row0 + r) * w + c];
                                }
                            }
                            assertEquals(Arrays.toString(columns), Arrays.toString(got),
                                    name + " " + rows + " rows of " + w + " from row " + row0);
                        }
                    }
                }
            }
        }
    }

    /** Writing a view's elements in C order lays the storage out as numpy holds the array. */
    @Test
    void writesThroughMovedViewsLandWhereNumpyHasThem() throws IOException {
        for (JsonNode e : fixture("views.json")) {
            if (e.get("steps").toString().contains("broadcast_to")) {
                continue; // numpy's broadcast views are read-only, and so are focal's in use
            }
            JsonNode values = e.get("values");
            int n = values.size();
            int width = (int) longs(e.get("dims_after"))[e.get("dims_after").size() - 1];
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int shift : new int[] {Storage.WINDOW_SHIFT, SMALL_WINDOWS}) {
                    for (int block = 1; block <= n / width; block++) {
                        String name = name(e, dtype, shift) + " in blocks of " + block + " rows";
                        for (boolean floats : new boolean[] {true, false}) {
                            Storage s = Storage.allocate((long) n * dtype.itemSize(), ByteOrder.LITTLE_ENDIAN, shift);
                            Tensor t = view(e, s, dtype);
                            for (int r0 = 0; r0 < n / width; r0 += block) {
                                int rows = Math.min(block, n / width - r0);
                                float[] src = new float[rows * width];
                                double[] columns = new double[rows * width];
                                for (int r = 0; r < rows; r++) {
                                    for (int c = 0; c < width; c++) {
                                        double v = values.get((r0 + r) * width + c).asDouble();
                                        src[r * width + c] = (float) v;
                                        columns[c * rows + r] = v;
                                    }
                                }
                                if (floats) {
                                    t.writeFloats((long) r0 * width, src, rows * width);
                                } else {
                                    t.writeColumns((long) r0 * width, columns, rows, width);
                                }
                            }
                            Tensor flat = new Tensor(dtype, Shape.of(n), false, s);
                            for (int i = 0; i < n; i++) {
                                assertEquals(e.get("storage").get(i).asDouble(), flat.getDouble(i),
                                        name + (floats ? " floats" : " columns") + " storage element " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void viewsOfTheWholeTensorAreItself() {
        Tensor t = Tensor.ofDoubles(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        assertSame(t, t.moveAxisLast(1), "the last axis is already last");
        assertSame(t, t.expand(Shape.of(2, 3)), "nothing to repeat");
        Tensor moved = t.moveAxisLast(0);
        assertSame(moved, moved.moveAxisLast(1));
    }

    /** A 1-d array is C and Fortran contiguous at once; numpy's flags say both, focal says C. */
    @Test
    void onlyATensorOfTwoAxesOrMoreIsInFortranOrder() {
        Storage s = Storage.allocate(24, ByteOrder.LITTLE_ENDIAN);
        assertEquals(false, new Tensor(DType.FLOAT32, Shape.of(6), true, s).fortranOrder());
        assertEquals(false, new Tensor(DType.FLOAT32, Shape.of(), true, s).fortranOrder());
        assertEquals(true, new Tensor(DType.FLOAT32, Shape.of(2, 3), true, s).fortranOrder());
        assertEquals(false, new Tensor(DType.FLOAT32, Shape.of(2, 3), false, s).fortranOrder());
    }

    @Test
    void impossibleViewsAreRefusedByName() {
        Tensor t = Tensor.ofDoubles(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        assertEquals("cannot expand (2, 3) to (4, 3)",
                assertThrows(IllegalArgumentException.class, () -> t.expand(Shape.of(4, 3))).getMessage());
        assertEquals("cannot reshape (2, 3) to (4,)",
                assertThrows(IllegalArgumentException.class, () -> t.reshape(Shape.of(4))).getMessage());
        assertEquals("5 values for shape (2, 3)",
                assertThrows(IllegalArgumentException.class, () -> Tensor.ofDoubles(Shape.of(2, 3), 1, 2, 3, 4, 5))
                        .getMessage());
        // Strides over a reshaped layout are not the reshaped shape's: no view is made of them.
        Tensor reshaped = t.moveAxisLast(0).reshape(Shape.of(6, 1));
        for (Runnable view : new Runnable[] {() -> reshaped.moveAxisLast(0), () -> reshaped.expand(Shape.of(6, 2))}) {
            assertEquals("a view of a reshaped strided tensor",
                    assertThrows(IllegalStateException.class, view::run).getMessage());
        }
        // A C-order tensor reshaped has C strides again: its views are made.
        assertEquals(Shape.of(2, 3), t.reshape(Shape.of(3, 2)).moveAxisLast(0).shape());
        assertEquals(Shape.of(6, 2), t.reshape(Shape.of(6, 1)).expand(Shape.of(6, 2)).shape());
    }

    @Test
    void storageKnowsItsSize() {
        assertEquals(40, Storage.allocate(40, ByteOrder.LITTLE_ENDIAN, SMALL_WINDOWS).size());
        assertEquals(0, Storage.allocate(0, ByteOrder.LITTLE_ENDIAN).size());
    }
}
