package dev.focal.io.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
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

    @TestFactory
    Stream<DynamicTest> refusesMalformedFiles() {
        String[][] cases = {
            {"truncated_data.npy", "truncated: header declares 48 data bytes, file has 43"},
            {"truncated_header.npy", "truncated: header declares"},
            {"magic_only.npy", "truncated: file ends inside the .npy header"},
            {"wrong_magic.npy", "not a .npy file (no \\x93NUMPY magic)"},
            {"version_4.npy", "unsupported .npy format version 4.0"},
            {"header_not_dict.npy", "malformed .npy header: not a dict"},
            {"missing_shape.npy", "malformed .npy header: missing key 'shape'"},
            {"extra_key.npy", "malformed .npy header: unexpected key 'x'"},
            {"negative_shape.npy", "negative dimension -1"},
            {"overflow_shape.npy", "has more than 2^63 elements"},
            {"huge_shape.npy", "truncated: header declares 80000000000 data bytes, file has 64"},
            {"unknown_dtype.npy", "unsupported dtype 'x' ('<x4')"},
            {"bad_syntax.npy", "malformed .npy header: unexpected Flase"},
            {"header_too_long.npy", "over numpy's limit of 10000"},
            {"empty.npy", "empty file"},
            {"object.npy", "holds no tensors (a numpy object array of 3 items)"},
            {"complex64.npy", "unsupported dtype complex64 ('<c8')"},
            {"unicode.npy", "unsupported dtype unicode string ('<U2')"},
            {"structured.npy", "structured array"},
            {"datetime.npy", "unsupported dtype datetime64"},
        };
        return Stream.of(cases).map(c -> DynamicTest.dynamicTest(c[0], () -> {
            String name = BAD.resolve(c[0]).toString();
            FocalException e = assertThrows(FocalException.class, () -> {
                try (TensorFile f = TensorIO.open(name)) {
                    f.get(null);
                }
            });
            assertEquals(FocalException.INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertEquals(-1, e.getMessage().indexOf('\n'));
        }));
    }

    @TestFactory
    Stream<DynamicTest> headerMatchesNumpyForEveryRank() {
        // numpy pads the header for the first axis to grow to 21 digits, then to a multiple of 64.
        return Stream.of(new long[0], new long[] {5}, new long[] {123456789012L, 2}).map(dims ->
                DynamicTest.dynamicTest(java.util.Arrays.toString(dims), () -> {
                    byte[] h = NpyFormat.header(DType.FLOAT32, dev.focal.tensor.Shape.of(dims));
                    assertEquals(0, h.length % 64);
                    assertEquals('\n', h[h.length - 1]);
                }));
    }
}
