package dev.focal.io.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.io.NumpyView;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the documents of tools/fixtures/json_fixtures.py and checks them against what Python's
 * json and numpy made of them; writes every dtype and reads it back bit for bit.
 */
class JsonFormatTest {
    static final Path DIR = Path.of("src/test/resources/io/json");
    static final Path BAD = DIR.resolve("bad");
    static final JsonFormat FORMAT = new JsonFormat();

    @TempDir
    Path tmp;

    static JsonNode manifest(String section) throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile()).get(section);
    }

    static Stream<JsonNode> entries(String section) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        manifest(section).forEach(out::add);
        return out.stream();
    }

    static TensorFile open(Path p) {
        return FORMAT.open(p, p.toString());
    }

    static Tensor read(Path p) {
        try (TensorFile f = open(p)) {
            return f.get(null);
        }
    }

    static String text(Tensor t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FORMAT.write(t, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    Path file(String content) throws IOException {
        Path p = Files.createTempFile(tmp, "t", ".json");
        Files.writeString(p, content);
        return p;
    }

    @TestFactory
    Stream<DynamicTest> readsWhatNumpyMakesOfIt() throws IOException {
        return entries("arrays").map(e -> {
            String key = e.get("key").isNull() ? null : e.get("key").asText();
            return DynamicTest.dynamicTest(e.get("file").asText() + (key == null ? "" : ":" + key), () -> {
                try (TensorFile f = open(DIR.resolve(e.get("file").asText()))) {
                    NumpyView.assertMatchesNumpy(e, f.get(key));
                }
            });
        });
    }

    /**
     * A float token for an integer dtype keeps its decimal digits (docs/commands.md#formats):
     * 2^53 + 1 written with a fraction is 2^53 + 1, where numpy goes through a double first; so is
     * 2^64 - 1 in exponent form. Python's int of each literal's digits is the value.
     */
    @Test
    void aFloatTokenForAnIntegerDtypeKeepsItsDigits() throws IOException {
        Tensor t = read(file("{\"dtype\": \"uint64\", \"shape\": [3], \"data\": [9007199254740993.0, "
                + "1.8446744073709551615e19, 2e0]}"));
        assertEquals(Long.toUnsignedString(9007199254740993L), Long.toUnsignedString(t.getLong(0)));
        assertEquals("18446744073709551615", Long.toUnsignedString(t.getLong(1)));
        assertEquals(2, t.getLong(2));
    }

    @TestFactory
    Stream<DynamicTest> listsBundleKeysInFileOrder() throws IOException {
        return entries("bundles").map(e -> DynamicTest.dynamicTest(e.get("file").asText(), () -> {
            List<String> keys = new ArrayList<>();
            e.get("keys").forEach(k -> keys.add(k.asText()));
            try (TensorFile f = open(DIR.resolve(e.get("file").asText()))) {
                assertEquals(keys, f.keys());
            }
        }));
    }

    @Test
    void plainDocumentsHaveNoKeys() {
        Path p = DIR.resolve("mixed_2d.json");
        try (TensorFile f = open(p)) {
            assertEquals(List.of(), f.keys());
            FocalException e = assertThrows(FocalException.class, () -> f.get("x"));
            assertEquals(p + ": holds a single array, not a bundle: no key 'x'", e.getMessage());
        }
    }

    @Test
    void bundleOfSeveralNeedsAKey() {
        Path p = DIR.resolve("bundle.json");
        try (TensorFile f = open(p)) {
            FocalException e = assertThrows(FocalException.class, () -> f.get(null));
            assertEquals(FocalException.INPUT, e.exitCode());
            assertEquals(p + ": holds 3 arrays (logits, targets, weights): name one as FILE:KEY", e.getMessage());
            e = assertThrows(FocalException.class, () -> f.get("scores"));
            assertEquals(p + ": no array 'scores' (has: logits, targets, weights)", e.getMessage());
        }
    }

    @Test
    void badMemberSpoilsOnlyItself() throws IOException {
        Path p = file("{\"good\": [1, 2], \"bad\": [[1, 2], [3], [[4]]], \"after\": [[7.5]], \"deep\": "
                + "[".repeat(70) + "]".repeat(70) + "}");
        try (TensorFile f = open(p)) {
            assertEquals(2, f.get("good").count());
            FocalException e = assertThrows(FocalException.class, () -> f.get("bad"));
            assertEquals(p + ":bad: at [1]: 1 element, expected 2", e.getMessage());
            Tensor after = f.get("after");
            assertArrayEquals(new long[] {1, 1}, after.shape().dims());
            assertEquals(7.5, after.getDouble(0));
            e = assertThrows(FocalException.class, () -> f.get("deep"));
            assertEquals(p + ":deep: nested deeper than 64 levels", e.getMessage());
            // Each read is a tensor of its own.
            assertNotSame(f.get("good"), f.get("good"));
        }
    }

    /**
     * A typed member's data 64 arrays deep passes the first pass, which skips it, and is refused
     * when it is read; 65 deep, the first pass refuses the whole file.
     */
    @Test
    void aTypedMemberTooDeepSpoilsOnlyItself() throws IOException {
        Path p = file("{\"a\": {\"dtype\": \"int8\", \"data\": " + "[".repeat(65) + "1" + "]".repeat(65) + "}, \"b\": [2]}");
        try (TensorFile f = open(p)) {
            assertEquals(p.toString(), f.name());
            assertEquals(List.of("a", "b"), f.keys());
            assertEquals(2, f.get("b").getLong(0));
            FocalException e = assertThrows(FocalException.class, () -> f.get("a"));
            assertEquals(p + ":a: nested deeper than 64 levels", e.getMessage());
        }
        Path q = file("{\"a\": {\"dtype\": \"int8\", \"data\": " + "[".repeat(66) + "1" + "]".repeat(66) + "}, \"b\": [2]}");
        FocalException e = assertThrows(FocalException.class, () -> open(q));
        assertEquals(q + ":a: nested deeper than 64 levels", e.getMessage());
        assertEquals("JSON", FORMAT.name());
    }

    /** A typed member is parsed when asked for, in a pass of its own: by then the file may have changed. */
    @Test
    void aTypedMemberGoneWhenItIsReadIsRefused() throws IOException {
        Path p = file("{\"w\": {\"dtype\": \"float32\", \"data\": [0.5]}, \"x\": [1]}");
        try (TensorFile f = open(p)) {
            Files.writeString(p, "{\"x\": [1], \"y\": {\"dtype\": \"int8\", \"data\": [[[[2]]]]}}");
            FocalException e = assertThrows(FocalException.class, () -> f.get("w"));
            assertEquals(p + ":w: no longer in the file; it changed while being read", e.getMessage());
        }
    }

    @TestFactory
    Stream<DynamicTest> refusesMalformedDocuments() throws IOException {
        Map<String, String> messages = Map.ofEntries(
                Map.entry("ragged.json", ": at [1]: 1 element, expected 2"),
                Map.entry("ragged_inner.json", ": at [1, 1]: 1 element, expected 2"),
                Map.entry("ragged_long.json", ": at [1]: 3 elements, expected 1"),
                Map.entry("ragged_empty.json", ": at [1]: 1 element, expected 0"),
                Map.entry("number_for_array.json", ": at [0, 2]: a number, expected an array of 3"),
                Map.entry("array_for_number.json", ": at [1, 1]: expected a number, found an array"),
                Map.entry("string.json", ": at [3]: \"abc\" is not a number"),
                Map.entry("null_int.json", ": at [1]: null (NaN) is not a value of dtype int32"),
                Map.entry("null_only.json", ": null is not a number"),
                Map.entry("object_in_list.json", ": at [1]: an object is not a number"),
                Map.entry("syntax_comma.json", ": invalid JSON at line 1, column 7: unexpected character (',' (code 44)): expected a value"),
                Map.entry("syntax_unclosed.json", ": invalid JSON at line 4, column 1: unexpected end-of-input: expected close marker for Array"),
                Map.entry("syntax_token.json", ": invalid JSON at line 1, column 5: unrecognized token 'nan'"),
                Map.entry("inf_token.json", ": at [1]: -INF is not a number Python's json reads; write NaN, Infinity or -Infinity"),
                Map.entry("trailing_garbage.json", ": trailing content after the JSON value at line 1, column 8"),
                Map.entry("trailing_value.json", ": trailing content after the JSON value at line 1, column 5"),
                Map.entry("too_deep.json", ": nested deeper than 64 levels"),
                Map.entry("empty_file.json", ": empty file"),
                Map.entry("whitespace.json", ": no JSON value, only whitespace"),
                Map.entry("top_string.json", ": \"abc\" is not a number"),
                Map.entry("big_int.json", ": at [0]: integer 18446744073709551616 fits neither int64 nor uint64"
                        + " (numpy would make an object array)"),
                Map.entry("typed_length.json", ": data holds 5 values, shape [2, 3] needs 6"),
                Map.entry("typed_nesting.json", ": data is nested as [2, 3], shape is [3, 2]"),
                Map.entry("typed_unknown_dtype.json", ": unknown dtype 'floaty32' (focal reads bool, int8..int64,"
                        + " uint8..uint64, float16, float32 and float64)"),
                Map.entry("typed_int8_range.json", ": at [1]: 200 is out of range for int8 (-128..127)"),
                Map.entry("typed_not_integer.json", ": at [1]: 1.5 is not an integer (dtype uint16)"),
                Map.entry("typed_bool_value.json", ": at [1]: 2 is not a bool (true, false, 0 or 1)"),
                Map.entry("typed_negative_shape.json",
                        ": \"shape\" must be a list of non-negative integers, found -1"),
                Map.entry("bundle_string.json", ":b: a string is not an array"),
                Map.entry("bundle_object.json", ":b: an object member must be a typed array {\"dtype\": ..., \"shape\": ..., \"data\": [...]}"),
                Map.entry("bundle_empty.json", ": holds no arrays"),
                Map.entry("bundle_duplicate.json", ": holds key 'a' twice"),
                Map.entry("typed_int16_range.json", ": at [1]: 40000 is out of range for int16 (-32768..32767)"),
                Map.entry("typed_int32_range.json",
                        ": at [0]: -3000000000 is out of range for int32 (-2147483648..2147483647)"),
                Map.entry("typed_uint8_range.json", ": at [0]: 256 is out of range for uint8 (0..255)"),
                Map.entry("typed_uint16_negative.json", ": at [0]: -1 is out of range for uint16 (0..65535)"),
                Map.entry("typed_uint32_range.json", ": at [0]: 4294967296 is out of range for uint32 (0..4294967295)"),
                Map.entry("typed_uint64_negative.json",
                        ": at [0]: -1 is out of range for uint64 (0..18446744073709551615)"),
                Map.entry("typed_int64_float_2_63.json", ": at [0]: 9223372036854775808.0 is out of range for int64"
                        + " (-9223372036854775808..9223372036854775807)"),
                Map.entry("typed_int8_exponent.json", ": at [0]: 1e999999999 is out of range for int8 (-128..127)"),
                Map.entry("typed_huge_exponent.json",
                        ": at [0]: 1841e30846744073709553230 is out of range for uint64 (0..18446744073709551615)"),
                Map.entry("typed_tiny_exponent.json", ": at [1]: 1e-30846744073709553230 is not an integer (dtype int8)"),
                Map.entry("empty_then_number.json", ": at [1]: a number, expected an array of 0"),
                Map.entry("string_32.json", ": at [1]: \"" + "x".repeat(32) + "\" is not a number"),
                Map.entry("string_33.json", ": at [1]: \"" + "x".repeat(32) + "...\" is not a number"),
                Map.entry("trailing_after_object.json", ": trailing content after the JSON value at line 1, column 12"),
                Map.entry("bundle_typed_unknown_dtype.json", ":a: unknown dtype 'floaty' (focal reads bool, int8..int64,"
                        + " uint8..uint64, float16, float32 and float64)"),
                Map.entry("typed_shape_not_list.json", ": \"shape\" must be a list of non-negative integers"),
                Map.entry("typed_dtype_not_string.json", ": \"dtype\" must be a string such as \"float32\""),
                Map.entry("typed_shape_float.json", ": \"shape\" must be a list of non-negative integers, found 2.0"),
                Map.entry("typed_shape_huge.json",
                        ": \"shape\" must be a list of non-negative integers, found 18446744073709551616"),
                Map.entry("typed_shape_65_axes.json", ": \"shape\" has over 64 dimensions"),
                Map.entry("bundle_null.json", ":b: null is not an array"),
                Map.entry("bundle_data_string.json",
                        ":mask: a string is not an array (a typed array has no keys but data, shape and dtype)"),
                Map.entry("bundle_typed_too_deep.json", ":a: nested deeper than 64 levels"));
        Set<String> generated = new HashSet<>();
        entries("bad").forEach(e -> generated.add(e.get("file").asText()));
        assertEquals(generated, messages.keySet(), "every refused fixture has its message here");
        return messages.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(c ->
                DynamicTest.dynamicTest(c.getKey(), () -> {
                    Path p = BAD.resolve(c.getKey());
                    FocalException e = assertThrows(FocalException.class, () -> read(p));
                    assertEquals(FocalException.INPUT, e.exitCode());
                    assertEquals(p + c.getValue(), e.getMessage());
                }));
    }

    /** The text is what we write; the fixture script checked that Python's json loads it into these values. */
    @TestFactory
    Stream<DynamicTest> writesTextPythonLoadsBack() throws IOException {
        return entries("written").map(e -> DynamicTest.dynamicTest(e.get("text").asText().strip(), () -> {
            DType dtype = DType.byName(e.get("dtype").asText());
            List<Long> dims = new ArrayList<>();
            e.get("shape").forEach(d -> dims.add(d.asLong()));
            Tensor t = Tensor.allocate(dtype, Shape.of(dims.stream().mapToLong(Long::longValue).toArray()));
            JsonNode values = e.get("values");
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i).asText();
                if (dtype.isFloat()) {
                    t.setDouble(i, Double.parseDouble(v));
                } else {
                    t.setRawBits(i, dtype == DType.UINT64 ? Long.parseUnsignedLong(v) : Long.parseLong(v));
                }
            }
            assertEquals(e.get("text").asText(), text(t));
        }));
    }

    /** Raw bits per dtype: extremes, signed zeros, subnormals, non-finite values and random ones. */
    static long[] samples(DType d) {
        Random r = new Random(d.ordinal());
        List<Long> v = new ArrayList<>();
        switch (d) {
            case BOOL:
                v.addAll(List.of(0L, 1L, 1L, 0L));
                break;
            case FLOAT16:
                v.addAll(List.of(0x0000L, 0x8000L, 0x0001L, 0x83FFL, 0x7BFFL, 0xFBFFL, 0x7C00L, 0xFC00L, 0x7E00L,
                        0x3555L, 0x2E66L));
                break;
            case BFLOAT16:
                v.addAll(List.of(0x0000L, 0x8000L, 0x0001L, 0x807FL, 0x7F7FL, 0xFF7FL, 0x7F80L, 0xFF80L, 0x7FC0L,
                        0x3DCDL, 0xC2F7L));
                break;
            case FLOAT32:
                v.addAll(List.of(0L, 0x80000000L, 1L, 0x807FFFFFL, (long) Float.floatToIntBits(1e-40f),
                        (long) Float.floatToIntBits(Float.MAX_VALUE), 0x7F800000L, 0xFF800000L, 0x7FC00000L,
                        (long) Float.floatToIntBits(0.1f), (long) Float.floatToIntBits(-16777216f)));
                for (int i = 0; i < 40; i++) {
                    float f = Float.intBitsToFloat(r.nextInt());
                    v.add(Float.isNaN(f) ? 0L : Float.floatToIntBits(f) & 0xFFFFFFFFL);
                }
                break;
            case FLOAT64:
                for (double x : new double[] {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_NORMAL / 3, Double.MAX_VALUE,
                        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0.1, 1.0 / 3, 1e-5, 2e23}) {
                    v.add(Double.doubleToLongBits(x));
                }
                for (int i = 0; i < 40; i++) {
                    double x = Double.longBitsToDouble(r.nextLong());
                    v.add(Double.isNaN(x) ? 0L : Double.doubleToLongBits(x));
                }
                break;
            default:
                int bits = 8 * d.itemSize();
                long mask = bits == 64 ? -1L : (1L << bits) - 1;
                long signedMin = 1L << (bits - 1);
                v.addAll(List.of(0L, 1L, mask, signedMin & mask, (signedMin - 1) & mask));
                for (int i = 0; i < 20; i++) {
                    v.add(r.nextLong() & mask);
                }
        }
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    @TestFactory
    Stream<DynamicTest> roundTripsEveryDtypeBitForBit() {
        long[][] shapes = {{}, {1}, {7}, {3, 4}, {2, 3, 2}, {0}, {2, 0}, {0, 3}, {2, 0, 3}};
        return Stream.of(DType.values()).flatMap(d -> Stream.of(shapes).map(dims ->
                DynamicTest.dynamicTest(d.numpyName() + " " + Shape.of(dims), () -> {
                    long[] bits = samples(d);
                    Shape shape = Shape.of(dims);
                    Tensor t = Tensor.allocate(d, shape);
                    for (int i = 0; i < t.count(); i++) {
                        t.setRawBits(i, bits[i % bits.length]);
                    }
                    Path p = tmp.resolve(d.numpyName() + "_" + dims.length + "_" + t.count() + ".json");
                    try (OutputStream out = Files.newOutputStream(p)) {
                        FORMAT.write(t, out);
                    }
                    Tensor back = read(p);
                    assertEquals(d, back.dtype(), Files.readString(p));
                    assertEquals(shape, back.shape(), Files.readString(p));
                    for (int i = 0; i < t.count(); i++) {
                        assertEquals(t.rawBits(i), back.rawBits(i), "element " + i + " of " + Files.readString(p));
                    }
                })));
    }

    @Test
    void roundTripsRandomDoubles() throws IOException {
        Random r = new Random(7);
        Tensor t = Tensor.allocate(DType.FLOAT64, Shape.of(200, 100));
        for (int i = 0; i < t.count(); i++) {
            t.setDouble(i, r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
        }
        Tensor back = read(file(text(t)));
        for (int i = 0; i < t.count(); i++) {
            assertEquals(t.rawBits(i), back.rawBits(i));
        }
    }

    @Test
    void float32DataIsRoundedOnceFromTheTextWhateverTheKeyOrder() throws IOException {
        // Just below the midpoint between the floats 1 + 2^-23 and 1 + 2^-22, closer than a double
        // can tell: through double it would become the midpoint and round to even, 1 + 2^-22.
        // (numpy rounds through double here, since json.load makes Python floats first.)
        String digits = "1.0000001788139343261718749";
        float once = 1 + 0x1p-23f;
        assertEquals(1 + 0x1p-22f, (float) Double.parseDouble(digits));
        for (String doc : List.of("{\"dtype\": \"float32\", \"data\": [" + digits + "]}",
                "{\"data\": [" + digits + "], \"dtype\": \"float32\"}")) {
            assertEquals(once, (float) read(file(doc)).getDouble(0), doc);
        }
    }

    @Test
    void sixtyFourLevelsAreTheLimit() throws IOException {
        Tensor t = read(file("[".repeat(64) + "5" + "]".repeat(64)));
        assertEquals(64, t.shape().rank());
        assertEquals(5, t.getLong(0));
        Path p = file("{\"x\": " + "[".repeat(70) + "]".repeat(70) + "}");
        FocalException e = assertThrows(FocalException.class, () -> read(p));
        assertEquals(p + ":x: nested deeper than 64 levels", e.getMessage());
        Path unreadable = file("{\"x\": " + "[".repeat(2000) + "]".repeat(2000) + "}");
        e = assertThrows(FocalException.class, () -> read(unreadable));
        assertEquals(unreadable + ":x: nested deeper than 64 levels", e.getMessage());
    }

    @Test
    void skipsByteOrderMarkAndWhitespace() throws IOException {
        Path p = tmp.resolve("bom.json");
        Files.write(p, "\uFEFF \n[1, 2]\n".getBytes(StandardCharsets.UTF_8));
        Tensor t = read(p);
        assertEquals(DType.INT64, t.dtype());
        assertEquals(2, t.getLong(1));
    }

    @Test
    void recognisesJsonByItsFirstByte() {
        for (String s : List.of("[1]", "{\"a\": 1}", "-1", "7", "NaN", "Infinity", "true", "false", " \r\n\t[",
                "\uFEFF[")) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertTrue(FORMAT.matchesContent(b, b.length), s);
        }
        for (String s : List.of("", "   ", "abc", "PK\u0003\u0004", "\"s\"", "null", "\uFEFF")) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertFalse(FORMAT.matchesContent(b, b.length), s);
        }
        assertTrue(FORMAT.matchesExtension("a/B.JSON"));
        assertFalse(FORMAT.matchesExtension("b.jsonl"));
    }

    @Test
    void tensorIoReadsAndWritesJson() throws IOException {
        Path sniffed = tmp.resolve("logits.txt");
        Files.copy(DIR.resolve("bundle.json"), sniffed);
        Tensor t = TensorIO.read(new TensorRef(sniffed.toString(), "weights"));
        assertEquals(DType.FLOAT32, t.dtype());
        Path out = tmp.resolve("out.json");
        TensorIO.write(t, out);
        assertEquals("{\"dtype\": \"float32\", \"shape\": [2], \"data\": [0.5, 1.0]}\n", Files.readString(out));
        assertArrayEquals(new long[] {2}, TensorIO.read(new TensorRef(out.toString(), null)).shape().dims());
    }
}
