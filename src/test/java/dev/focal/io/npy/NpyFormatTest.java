package dev.focal.io.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.io.NumpyView;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Reads every file numpy wrote (tools/fixtures/npy_fixtures.py) and checks numpy's view of it. */
class NpyFormatTest {
    static final Path DIR = Path.of("src/test/resources/io/npy");
    static final Path BAD = Path.of("src/test/resources/bad/npy");

    static List<JsonNode> manifest() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile()).forEach(out::add);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> readsWhatNumpyWrote() throws IOException {
        return manifest().stream().map(e -> DynamicTest.dynamicTest(e.get("file").asText(), () -> {
            try (TensorFile f = TensorIO.open(DIR.resolve(e.get("file").asText()).toString())) {
                Tensor t = f.get(null);
                NumpyView.assertMatchesNumpy(e, t);
                assertEquals(e.get("fortran_order").asBoolean(), t.fortranOrder());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> writesWhatNumpySaveWrites() throws IOException {
        return manifest().stream().map(e -> DynamicTest.dynamicTest(e.get("file").asText(), () -> {
            String canonical = e.get("canonical").isNull() ? e.get("file").asText() : e.get("canonical").asText();
            byte[] expected = Files.readAllBytes(DIR.resolve(canonical));
            try (TensorFile f = TensorIO.open(DIR.resolve(e.get("file").asText()).toString())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new NpyFormat().write(f.get(null), out);
                assertArrayEquals(expected, out.toByteArray());
            }
        }));
    }

    /** Every file of bad/npy, and its whole one-line message after "FILE: ". */
    @TestFactory
    Stream<DynamicTest> refusesMalformedFiles() throws IOException {
        String numeric = "; focal reads bool, int8..int64, uint8..uint64 and float16/32/64";
        String[][] cases = {
            {"truncated_data.npy", "truncated: header declares 48 data bytes, file has 43"},
            // le_float32.npy cut to 40 bytes: its header of 118 bytes follows a 10-byte prefix
            {"truncated_header.npy", "truncated: header declares 118 bytes, file has 30 after the prefix"},
            {"magic_only.npy", "truncated: file ends inside the .npy header"},
            {"v2_cut_prefix.npy", "truncated: file ends inside the .npy header"},
            {"wrong_magic.npy", "not a .npy file (no \\x93NUMPY magic)"},
            {"version_4.npy", "unsupported .npy format version 4.0 (numpy writes 1.0, 2.0 and 3.0)"},
            {"header_not_dict.npy", "malformed .npy header: not a dict"},
            {"missing_shape.npy", "malformed .npy header: missing key 'shape'"},
            {"extra_key.npy", "malformed .npy header: unexpected key 'x'"},
            {"newline_key.npy", "malformed .npy header: unexpected key 'a\\nb'"},
            {"fortran_not_bool.npy", "malformed .npy header: fortran_order is not True or False"},
            {"shape_not_integer.npy", "malformed .npy header: shape holds a non-integer"},
            {"shape_list.npy", "malformed .npy header: shape [2, 3] is not a tuple"},
            {"shape_in_parentheses.npy", "malformed .npy header: shape 6 is not a tuple"},
            {"negative_shape.npy", "malformed .npy header: negative dimension -1 in shape"},
            {"overflow_shape.npy",
                "malformed .npy header: shape (4611686018427387904, 4) has more than 2^63 elements"},
            {"bytes_overflow.npy", "shape (2305843009213693952,) of float64 is over 2^63 bytes"},
            {"huge_shape.npy", "truncated: header declares 80000000000 data bytes, file has 64"},
            {"unknown_dtype.npy", "unsupported dtype 'x' ('<x4')" + numeric},
            {"escape_in_descr.npy", "unsupported dtype '\\x1b' ('<\\x1b[2J')" + numeric},
            {"bad_syntax.npy", "malformed .npy header: unexpected Flase at character 34"},
            {"control_char_in_header.npy", "malformed .npy header: unexpected '\\x8c' at character 49"},
            // 55 characters of dict, 10050 spaces and a newline
            {"header_too_long.npy", "header is 10106 bytes, over numpy's limit of 10000"},
            {"empty.npy", "empty file"},
            {"object.npy", "holds no tensors (a numpy object array of 3 items)"},
            {"complex64.npy", "unsupported dtype complex64 ('<c8')" + numeric},
            {"unicode.npy", "unsupported dtype unicode string ('<U2')" + numeric},
            {"structured.npy", "unsupported dtype: structured array (descr [('x', '<f4'), ('y', '<i4')]);"
                + " focal reads numeric arrays only"},
            {"datetime.npy", "unsupported dtype datetime64 ('<M8[D]')" + numeric},
            {"timedelta.npy", "unsupported dtype timedelta64 ('<m8[s]')" + numeric},
            {"bytes.npy", "unsupported dtype bytes string ('|S3')" + numeric},
            {"void.npy", "unsupported dtype void/structured ('|V8')" + numeric},
            {"descr_f3.npy", "unsupported dtype float24 ('<f3')" + numeric},
            {"descr_i3.npy", "unsupported dtype int24 ('<i3')" + numeric},
            {"descr_u3.npy", "unsupported dtype uint24 ('<u3')" + numeric},
            {"descr_c3.npy", "unsupported dtype complex24 ('<c3')" + numeric},
            {"descr_f0.npy", "unsupported dtype float ('<f0')" + numeric},
            {"descr_i0.npy", "unsupported dtype int ('<i0')" + numeric},
            {"descr_u0.npy", "unsupported dtype uint ('<u0')" + numeric},
            {"descr_c0.npy", "unsupported dtype complex ('<c0')" + numeric},
            {"descr_f.npy", "unsupported dtype float ('<f')" + numeric},
            {"descr_c.npy", "unsupported dtype complex ('<c')" + numeric},
            {"descr_O8.npy", "unsupported dtype object (pickled Python objects) ('<O8')" + numeric},
            {"descr_a3.npy", "unsupported dtype bytes string ('|a3')" + numeric},
            {"descr_bool1.npy", "unsupported dtype '?' ('|?1')" + numeric},
            {"empty_header.npy", "malformed .npy header: unexpected end of header"},
            {"v2_empty_header.npy", "malformed .npy header: unexpected end of header"},
            {"short_wrong_magic.npy", "not a .npy file (no \\x93NUMPY magic)"},
            {"header_integer.npy", "malformed .npy header: not a dict"},
            {"header_true.npy", "malformed .npy header: not a dict"},
            {"header_open_brace.npy", "malformed .npy header: unexpected end of header"},
            {"unterminated_string.npy", "malformed .npy header: unterminated string"},
            {"escaped_quote_key.npy", "malformed .npy header: unexpected key 'a'b'"},
            {"nested_32.npy", "malformed .npy header: unexpected key 'x'"},
            {"nested_33.npy", "malformed .npy header: literal nested too deeply"},
            {"duplicate_key.npy", "malformed .npy header: key descr appears twice"},
            {"no_colon.npy", "malformed .npy header: expected ':' at character 9"},
            {"text_after_dict.npy", "malformed .npy header: unexpected text after the literal at character 56"},
            {"huge_integer.npy", "malformed .npy header: integer 99999999999999999999 is not a 64-bit number"},
            {"unclosed_tuple.npy", "malformed .npy header: expected ',' or ')' at character 53"},
            {"unclosed_dict.npy", "malformed .npy header: expected ',' or '}' at character 16"},
        };
        Set<String> files;
        try (Stream<Path> s = Files.list(BAD)) {
            files = s.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, Stream.of(cases).map(c -> c[0]).collect(Collectors.toCollection(TreeSet::new)),
                "every file of bad/npy has its message here");
        return Stream.of(cases).map(c -> DynamicTest.dynamicTest(c[0], () -> {
            String name = BAD.resolve(c[0]).toString();
            FocalException e = assertThrows(FocalException.class, () -> {
                try (TensorFile f = TensorIO.open(name)) {
                    f.get(null);
                }
            });
            assertEquals(FocalException.INPUT, e.exitCode());
            assertEquals(name + ": " + c[1], e.getMessage());
        }));
    }

    @Test
    void recognisedByTheMagicAndByTheExtension() {
        NpyFormat npy = new NpyFormat();
        assertEquals(".npy", npy.name());
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        assertTrue(npy.matchesContent(magic, 6));
        assertTrue(npy.matchesContent(magic, 8));
        assertFalse(npy.matchesContent(magic, 5), "too short to hold the magic");
        for (int i = 0; i < 6; i++) {
            byte[] wrong = magic.clone();
            wrong[i] ^= 0x20;
            assertFalse(npy.matchesContent(wrong, 8), "byte " + i);
        }
        assertTrue(npy.matchesExtension("dir/X.NPY"));
        assertFalse(npy.matchesExtension("x.npz"));
        assertFalse(npy.holdsBundles());
        assertTrue(npy.canWrite());
        assertEquals(".npz", new NpzFormat().name());
    }

    /** np.save of a dict pickles it; its arrays are read as a bundle (docs/formats.md#pickled-numpy). */
    @Test
    void anObjectArrayIsReadThroughTheUnpickler() throws IOException {
        JsonNode numpy = new ObjectMapper().readTree(DIR.resolve("object_dict.json").toFile());
        try (TensorFile f = TensorIO.open(DIR.resolve("object_dict.npy").toString())) {
            List<String> keys = new ArrayList<>();
            numpy.forEach(e -> keys.add(e.get("key").asText()));
            assertEquals(keys, f.keys());
            for (JsonNode e : numpy) {
                NumpyView.assertMatchesNumpy(e, f.get(e.get("key").asText()));
            }
        }
    }

    /**
     * Every file descriptor a read opens is closed: those of mapped arrays, archives, pickles and
     * refused files.
     */
    @Test
    void readsLeaveNoFileOpen() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc");
        long before = count(fds);
        for (int i = 0; i < 20; i++) {
            try (TensorFile f = TensorIO.open(DIR.resolve("le_float32.npy").toString())) {
                f.get(null);
            }
            try (TensorFile f = TensorIO.open(DIR.resolve("object_dict.npy").toString())) {
                f.get("labels");
            }
            try (TensorFile f = TensorIO.open(NpzFormatTest.file("single.npz"))) {
                f.get(null);
            }
            assertThrows(FocalException.class, () -> TensorIO.open(BAD.resolve("unknown_dtype.npy").toString()).get(null));
            assertThrows(FocalException.class, () -> TensorIO.open(NpzFormatTest.file("not_a_zip.npz")));
        }
        assertTrue(count(fds) < before + 10, "file descriptors left open: " + (count(fds) - before));
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /**
     * The header numpy.save writes, byte for byte (by its SHA-256; tools/fixtures/npy_fixtures.py):
     * its padding for a first axis of many digits, and version 2.0 from the rank where version
     * 1.0's 16-bit length no longer holds the header.
     */
    @TestFactory
    Stream<DynamicTest> headerIsWhatNumpyWrites() throws IOException {
        List<JsonNode> headers = new ArrayList<>();
        new ObjectMapper().readTree(DIR.resolve("headers.json").toFile()).forEach(headers::add);
        return headers.stream().map(e -> DynamicTest.dynamicTest(e.get("descr").asText() + " " + e.get("shape"), () -> {
            long[] dims;
            if (e.get("shape").isArray()) {
                dims = new long[e.get("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = e.get("shape").get(i).asLong();
                }
            } else {
                dims = new long[e.get("shape").get("ones").asInt()];
                java.util.Arrays.fill(dims, 1);
            }
            String descr = e.get("descr").asText();
            DType dtype = descr.equals("|b1") ? DType.BOOL : DType.of(descr.charAt(1), descr.charAt(2) - '0');
            byte[] h = NpyFormat.header(dtype, dev.focal.tensor.Shape.of(dims));
            assertEquals(e.get("version").asInt(), h[6]);
            assertEquals(e.get("length").asInt(), h.length);
            assertEquals(e.get("sha256").asText(), java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(h)));
        }));
    }
}
