package dev.focal.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files at the edges of the format and the hostile corpus, each read as the safetensors package
 * reads it or refused with exit 3 and one whole line (tools/oracle/safetensors_oracle.py;
 * docs/commands.md#safetensors).
 */
class SafetensorsOracleTest {
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final Path DIR = RESOURCES.resolve("io/safetensors/oracle");
    private static final String READABLE = "; focal reads BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64,"
            + " I64, U64";

    private static JsonNode oracle() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("oracle.json").toFile());
    }

    /** Each refused file (under src/test/resources) and its line after "NAME: ". */
    private static final Map<String, String> REFUSED = refusals();

    private static Map<String, String> refusals() {
        Map<String, String> m = new LinkedHashMap<>();
        String o = "io/safetensors/oracle/";
        m.put(o + "dtype_number.safetensors", "tensor 'a': \"dtype\" is not a string");
        m.put(o + "dtype_twice.safetensors", "tensor 'a': \"dtype\" is declared twice");
        m.put(o + "eight_bytes.safetensors", "header is not a JSON object");
        m.put(o + "only_spaces.safetensors", "header is not a JSON object");
        m.put(o + "seven_bytes.safetensors", "truncated: 7 bytes, not even safetensors' 8-byte header length");
        m.put(o + "entry_not_object.safetensors", "tensor 'a': not an object of dtype, shape and data_offsets");
        m.put(o + "header_at_cap.safetensors", "truncated: header length 100000000, file has 2 bytes after it");
        m.put(o + "header_one_past.safetensors", "truncated: header length 61, file has 60 bytes after it");
        // The package keeps the last of two equal keys; focal refuses what it cannot tell apart.
        m.put(o + "metadata_key_twice.safetensors", "__metadata__ 'k' is declared twice");
        m.put(o + "metadata_list.safetensors", "__metadata__ is not an object of strings");
        m.put(o + "metadata_twice.safetensors", "__metadata__ is declared twice");
        m.put(o + "no_dtype.safetensors", "tensor 'a': no \"dtype\"");
        m.put(o + "no_offsets.safetensors", "tensor 'a': no \"data_offsets\"");
        m.put(o + "shape_huge.safetensors",
                "tensor 'a': \"shape\" holds 9223372036854775808, not an integer from 0 to 2^63 - 1");
        m.put(o + "shape_nested.safetensors", "tensor 'a': \"shape\" holds a nested value, not an integer from 0"
                + " to 2^63 - 1");
        m.put(o + "shape_not_array.safetensors", "tensor 'a': \"shape\" is not an array of integers");
        m.put(o + "size_mismatch_second.safetensors", "tensor 'b': data_offsets [4, 10] hold 6 bytes, shape [2] of"
                + " F32 needs 8");
        m.put(o + "sub_byte.safetensors", "tensor 'a': shape [3] of F4 does not fill whole bytes");
        String b = "bad/safetensors/";
        m.put(b + "too_short.safetensors", "truncated: 3 bytes, not even safetensors' 8-byte header length");
        m.put(b + "header_past_end.safetensors", "truncated: header length 4096, file has 64 bytes after it");
        m.put(b + "header_over_cap.safetensors", "header length 100000001 is over safetensors' limit of 100000000"
                + " bytes");
        m.put(b + "header_length_huge.safetensors", "header length 18446744073709551615 is over safetensors' limit"
                + " of 100000000 bytes");
        m.put(b + "not_utf8.safetensors", "header is not valid UTF-8 (byte 0xff at header offset 3)");
        m.put(b + "not_json.safetensors", "invalid header JSON at line 1, column 25: unexpected end-of-input"
                + " within/between Object entries");
        m.put(b + "not_object.safetensors", "header is not a JSON object");
        m.put(b + "trailing.safetensors", "invalid header JSON at line 1, column 56: trailing data after the object");
        m.put(b + "too_deep.safetensors", "invalid header JSON: document nesting depth (129) exceeds the maximum"
                + " allowed (128)");
        m.put(b + "duplicate_key.safetensors", "tensor 'a' is declared twice");
        m.put(b + "newline_key.safetensors", "tensor 'a\\nb': unknown dtype 'X9'");
        m.put(b + "unknown_dtype.safetensors", "tensor 'a': unknown dtype 'Q7'");
        m.put(b + "missing_shape.safetensors", "tensor 'a': no \"shape\"");
        m.put(b + "negative_dim.safetensors", "tensor 'a': \"shape\" holds -1, not an integer from 0 to 2^63 - 1");
        m.put(b + "float_dim.safetensors", "tensor 'a': \"shape\" holds 1.0, not an integer from 0 to 2^63 - 1");
        m.put(b + "offsets_three.safetensors", "tensor 'a': \"data_offsets\" holds 3 numbers, not [begin, end]");
        m.put(b + "metadata_not_string.safetensors", "__metadata__ 'n': 1 is not a string");
        // The package opens a file of no tensors; focal has nothing to read in it.
        m.put(b + "no_tensors.safetensors", "holds no tensors");
        m.put(b + "overlap.safetensors", "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
        m.put(b + "gap.safetensors", "tensor 'b': data_offsets [12, 20] leave a gap of 4 bytes after tensor 'a'");
        m.put(b + "not_from_zero.safetensors", "tensor 'a': data_offsets [4, 12] leave a gap of 4 bytes at the start"
                + " of the data");
        m.put(b + "end_before_begin.safetensors", "tensor 'a': data_offsets [8, 0] end before they begin");
        m.put(b + "size_mismatch.safetensors", "tensor 'a': data_offsets [0, 20] hold 20 bytes, shape [2, 3] of F32"
                + " needs 24");
        m.put(b + "short_data.safetensors", "truncated: the tensors need 8 data bytes, file has 5");
        m.put(b + "extra_data.safetensors", "4 bytes after the last tensor's data (the tensors must cover the data"
                + " to the end of the file)");
        m.put(b + "shape_overflow.safetensors", "tensor 'a': shape [4294967296, 4294967296] has more than 2^63"
                + " elements");
        m.put(b + "bytes_overflow.safetensors", "tensor 'a': shape [2305843009213693952] of F64 is over 2^63 bytes");
        return m;
    }

    /** Files that open, and the tensor whose dtype focal does not read, with its line. */
    private static final Map<String, String> UNREADABLE = Map.of(
            "io/safetensors/oracle/f4_whole.safetensors", "a: unsupported dtype F4" + READABLE,
            "bad/safetensors/float8.safetensors", "a: unsupported dtype F8_E4M3" + READABLE,
            "bad/safetensors/complex.safetensors", "a: unsupported dtype C64" + READABLE);

    @Test
    void everyFileIsReadAsThePackageReadsItOrRefusedInOneLine() throws IOException {
        JsonNode files = oracle().get("files");
        List<String> names = new ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        int read = 0;
        for (String name : names) {
            JsonNode expected = files.get(name);
            Path path = RESOURCES.resolve(name);
            String refusal = REFUSED.get(name);
            if (refusal != null) {
                FocalException e = assertThrows(FocalException.class, () -> SafetensorsFile.open(path, "f"), name);
                assertEquals(FocalException.INPUT, e.exitCode(), name);
                assertEquals("f: " + refusal, e.getMessage(), name);
                assertTrue(expected.get("package").asText().startsWith("refused")
                        || name.endsWith("no_tensors.safetensors") || name.endsWith("metadata_key_twice.safetensors"),
                        name + ": the package reads it");
                continue;
            }
            try (SafetensorsFile f = SafetensorsFile.open(path, "f")) {
                if (UNREADABLE.containsKey(name)) {
                    FocalException e = assertThrows(FocalException.class, () -> f.get("a"));
                    assertEquals("f:" + UNREADABLE.get(name), e.getMessage());
                    continue;
                }
                assertEquals("ok", expected.get("package").asText(), name);
                List<String> keys = new ArrayList<>();
                expected.get("tensors").forEach(t -> keys.add(t.get("key").asText()));
                List<String> ours = new ArrayList<>(f.keys());
                Collections.sort(keys);
                Collections.sort(ours);
                assertEquals(keys, ours, name);
                for (JsonNode t : expected.get("tensors")) {
                    check(name, t, f.get(t.get("key").asText()));
                }
                read++;
            }
        }
        assertEquals(REFUSED.size() + UNREADABLE.size() + read, names.size());
        assertEquals(10, read, "files read");
        for (String name : REFUSED.keySet()) {
            assertTrue(files.has(name), name);
        }
    }

    private static void check(String file, JsonNode expected, Tensor t) {
        String what = file + ":" + expected.get("key").asText();
        assertEquals(SafetensorsDType.named(expected.get("dtype").asText()).focal(), t.dtype(), what);
        long[] shape = new long[expected.get("shape").size()];
        Arrays.setAll(shape, i -> expected.get("shape").get(i).asLong());
        assertArrayEquals(shape, t.shape().dims(), what);
        JsonNode values = expected.get("values");
        assertEquals(values.size(), t.count(), what);
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).asText();
            if (t.dtype().isFloat()) {
                assertEquals(Double.doubleToRawLongBits(Double.parseDouble(v)),
                        Double.doubleToRawLongBits(t.getDouble(i)), what + "[" + i + "]");
            } else if (t.dtype() == DType.BOOL) {
                assertEquals(v.equals("true") ? 1 : 0, t.getLong(i), what + "[" + i + "]");
            } else {
                assertEquals(Long.parseLong(v), t.getLong(i), what + "[" + i + "]");
            }
        }
    }

    /** The package sorts tensors itself: whatever order focal is given them in, it writes the same bytes. */
    @Test
    void writingInAnyOrderGivesThePackagesBytes() throws IOException {
        List<String> files = new ArrayList<>();
        oracle().get("byte_identical").forEach(n -> files.add(n.asText()));
        assertEquals(List.of("prefixes.safetensors", "many.safetensors", "ten.safetensors", "one.safetensors"), files);
        for (String file : files) {
            byte[] theirs = Files.readAllBytes(DIR.resolve(file));
            try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve(file), file)) {
                List<String> keys = new ArrayList<>(f.keys());
                Collections.reverse(keys);
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String k : keys) {
                    tensors.put(k, f.get(k));
                }
                ByteArrayOutputStream ours = new ByteArrayOutputStream();
                new SafetensorsFormat().write(tensors, Map.of(), ours);
                assertArrayEquals(theirs, ours.toByteArray(), file);
            }
        }
    }

    @Test
    void keysAreNamedInMessagesTenAtMost() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("many.safetensors"), "m")) {
            assertEquals("m", f.name());
            FocalException e = assertThrows(FocalException.class, () -> f.get(null));
            assertEquals("m: holds 12 tensors (t00, t01, t02, t03, t04, t05, t06, t07, t08, t09 and 2 more): name one"
                    + " as FILE:KEY", e.getMessage());
            e = assertThrows(FocalException.class, () -> f.get("t12"));
            assertEquals("m: no tensor 't12' (has: t00, t01, t02, t03, t04, t05, t06, t07, t08, t09 and 2 more)",
                    e.getMessage());
        }
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("ten.safetensors"), "t")) {
            FocalException e = assertThrows(FocalException.class, () -> f.get("x\ny"));
            assertEquals("t: no tensor 'x\\ny' (has: t00, t01, t02, t03, t04, t05, t06, t07, t08, t09)",
                    e.getMessage());
        }
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("one.safetensors"), "o")) {
            assertEquals(3, f.get(null).count(), "the only tensor needs no name");
            assertEquals(2, f.get(null).getLong(2));
        }
    }

    /** Tensors are mapped on get: after close there is no file to map them from. */
    @Test
    void closeReleasesTheFile() throws IOException {
        SafetensorsFile f = SafetensorsFile.open(DIR.resolve("one.safetensors"), "o");
        Tensor before = f.get("only");
        f.close();
        assertEquals(2, before.getLong(2), "a tensor outlives close");
        FocalException e = assertThrows(FocalException.class, () -> f.get("only"));
        // Not a user's case (focal reads a file before it closes it): any one-line refusal will do.
        assertEquals("o:only: cannot read: ClosedChannelException", e.getMessage());
    }

    @Test
    void theFormatIsToldByItsHeaderLengthAndBrace() throws IOException {
        SafetensorsFormat s = new SafetensorsFormat();
        assertEquals(".safetensors", s.name());
        assertTrue(s.canWrite());
        assertTrue(s.writesBundles());
        assertTrue(s.matchesExtension("x.SafeTensors"));
        assertFalse(s.matchesExtension("x.safetensor"));
        byte[] head = Arrays.copyOf(Files.readAllBytes(DIR.resolve("one.safetensors")), 64);
        assertTrue(s.matchesContent(head, 9));
        assertFalse(s.matchesContent(head, 8));
        byte[] small = head.clone();
        small[0] = 2;
        small[1] = 0;
        assertTrue(s.matchesContent(small, 9), "{} is the shortest header");
        small[0] = 1;
        assertFalse(s.matchesContent(small, 9));
        byte[] cap = head.clone();
        System.arraycopy(new byte[] {0x00, (byte) 0xe1, (byte) 0xf5, 0x05, 0, 0, 0, 0}, 0, cap, 0, 8); // 10^8
        assertTrue(s.matchesContent(cap, 9));
        cap[0] = 1;
        assertFalse(s.matchesContent(cap, 9), "one past the cap");
        byte[] high = head.clone();
        high[7] = 1;
        assertFalse(s.matchesContent(high, 9), "a length's high byte");
        byte[] bracket = head.clone();
        bracket[8] = '[';
        assertFalse(s.matchesContent(bracket, 9));
        try (var f = s.open(DIR.resolve("one.safetensors"), "o")) {
            assertEquals(List.of("only"), f.keys());
        }
    }
}
