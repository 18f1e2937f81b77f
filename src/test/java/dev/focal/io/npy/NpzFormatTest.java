package dev.focal.io.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.zip.ZipInflater;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Reads the archives numpy wrote (tools/fixtures/npz_fixtures.py) and checks numpy's view of them. */
class NpzFormatTest {
    static final Path DIR = Path.of("src/test/resources/io/npz");

    static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
    }

    static String file(String name) {
        return DIR.resolve(name).toString();
    }

    /** The member of {@code archive} in the manifest under {@code key}. */
    static JsonNode expected(String archive, String key) throws IOException {
        for (JsonNode m : manifest().get(archive)) {
            if (m.get("key").asText().equals(key)) {
                return m;
            }
        }
        throw new AssertionError("no " + key + " in the manifest's " + archive);
    }

    /** Checks dtype, shape, order and every value, bit for bit, against what numpy read. */
    static void assertMatchesNumpy(JsonNode expected, Tensor t) {
        String what = expected.get("key").asText();
        assertEquals(expected.get("dtype").asText(), t.dtype().numpyName(), what);
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, t.shape().dims(), what);
        assertEquals(expected.get("fortran_order").asBoolean(), t.fortranOrder(), what);
        JsonNode values = expected.get("values");
        assertEquals(values.size(), t.count(), what);
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).asText();
            if (t.dtype().isFloat()) {
                assertEquals(Double.doubleToRawLongBits(pythonFloat(v)), Double.doubleToRawLongBits(t.getDouble(i)),
                        what + "[" + i + "] should be " + v);
            } else if (t.dtype() == DType.BOOL) {
                assertEquals(Boolean.parseBoolean(v) ? 1 : 0, t.getLong(i), what + "[" + i + "]");
            } else {
                assertEquals(Long.parseLong(v), t.getLong(i), what + "[" + i + "]");
            }
        }
    }

    /** float.hex() text, or repr() for the values it spells as words. */
    private static double pythonFloat(String v) {
        switch (v) {
            case "nan": return Double.NaN;
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            default: return Double.parseDouble(v);
        }
    }

    /** Runs {@code e}, which must fail with exit 3 and exactly this one-line message. */
    static void assertRefused(String message, Executable e) {
        FocalException x = assertThrows(FocalException.class, e);
        assertEquals(FocalException.INPUT, x.exitCode(), x.getMessage());
        assertEquals(message, x.getMessage());
    }

    @TestFactory
    Stream<DynamicTest> readsEveryMemberNumpyWrote() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> archive : manifest().properties()) {
            List<String> keys = new ArrayList<>();
            archive.getValue().forEach(m -> keys.add(m.get("key").asText()));
            tests.add(DynamicTest.dynamicTest(archive.getKey(), () -> {
                try (TensorFile f = TensorIO.open(file(archive.getKey()))) {
                    assertEquals(keys, f.keys(), "numpy's file order");
                    for (JsonNode m : archive.getValue()) {
                        assertMatchesNumpy(m, f.get(m.get("key").asText()));
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void aOneMemberArchiveNeedsNoKey() throws IOException {
        try (TensorFile f = TensorIO.open(file("single.npz"))) {
            assertEquals(List.of("arr_0"), f.keys());
            assertMatchesNumpy(expected("single.npz", "arr_0"), f.get(null));
        }
    }

    @Test
    void severalMembersNeedAKey() {
        try (TensorFile f = TensorIO.open(file("mixed_names.npz"))) {
            assertRefused(file("mixed_names.npz") + ": holds 3 arrays (weights, arr_0, arr_1): name one as FILE:KEY",
                    () -> f.get(null));
        }
    }

    @Test
    void anAbsentKeyListsTheKeys() {
        try (TensorFile f = TensorIO.open(file("mixed_names.npz"))) {
            assertRefused(file("mixed_names.npz") + ": no array 'foo' (has: weights, arr_0, arr_1)",
                    () -> f.get("foo"));
            assertRefused(file("mixed_names.npz") + ": no array 'weights.np' (has: weights, arr_0, arr_1)",
                    () -> f.get("weights.np"));
            assertRefused(file("mixed_names.npz") + ": no array 'arr_0.np' (has: weights, arr_0, arr_1)",
                    () -> f.get("arr_0.np"));
        }
    }

    @Test
    void aMemberCanAlsoBeNamedInFullAsNumpyAllows() throws IOException {
        try (TensorFile f = TensorIO.open(file("mixed_names.npz"))) {
            assertMatchesNumpy(expected("mixed_names.npz", "weights"), f.get("weights.npy"));
        }
    }

    @Test
    void tensorsOutliveTheFile() throws IOException {
        Tensor stored;
        Tensor deflated;
        try (TensorFile f = TensorIO.open(file("savez.npz"));
             TensorFile g = TensorIO.open(file("savez_compressed.npz"))) {
            stored = f.get("labels");
            deflated = g.get("labels");
        }
        assertMatchesNumpy(expected("savez.npz", "labels"), stored);
        assertMatchesNumpy(expected("savez_compressed.npz", "labels"), deflated);
    }

    @Test
    void recognisedByContentAndByExtension(@TempDir Path tmp) throws IOException {
        NpzFormat npz = new NpzFormat();
        byte[] head = Files.readAllBytes(DIR.resolve("savez.npz"));
        assertTrue(npz.matchesContent(head, 16));
        assertTrue(npz.matchesContent(Files.readAllBytes(DIR.resolve("empty.npz")), 16));
        assertFalse(npz.matchesContent(NpyFormat.MAGIC, NpyFormat.MAGIC.length));
        assertTrue(npz.matchesContent(new byte[] {'P', 'K', 3, 4}, 4));
        assertTrue(npz.matchesContent(new byte[] {'P', 'K', 5, 6}, 4));
        assertFalse(npz.matchesContent(new byte[] {'P', 'K', 3, 4}, 3));
        assertFalse(npz.matchesContent(new byte[] {'P', 'K', 3, 6}, 4));
        assertFalse(npz.matchesContent(new byte[] {'P', 'K', 5, 4}, 4));
        assertFalse(npz.matchesContent(new byte[] {'P', 'J', 3, 4}, 4));
        assertFalse(npz.matchesContent(new byte[] {'Q', 'K', 3, 4}, 4));
        assertTrue(npz.matchesExtension("dump/LOGITS.NPZ"));
        assertFalse(npz.matchesExtension("logits.npy"));

        Path renamed = tmp.resolve("logits.bin");
        Files.copy(DIR.resolve("single.npz"), renamed);
        try (TensorFile f = TensorIO.open(renamed.toString())) {
            assertEquals(List.of("arr_0"), f.keys());
        }
    }

    /** Over {@link ZipInflater#HEAP_LIMIT}, a member inflates into a temporary file that is gone at once. */
    @Test
    void aLargeDeflatedMemberLeavesNoTemporaryFile(@TempDir Path tmp) throws IOException {
        long n = ZipInflater.HEAP_LIMIT / 8 + 1000;
        Path npz = tmp.resolve("large.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.setLevel(1);
            zip.putNextEntry(new ZipEntry("zeros.npy"));
            writeNpy(zip, n, Map.of(0L, -1.0, n / 2, 0.5, n - 1, 42.0));
        }
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", scratch.toString());
        try (TensorFile f = TensorIO.open(npz.toString())) {
            Tensor t = f.get(null);
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(0, left.count(), "the temporary file is unlinked while in use");
            }
            Path maps = Path.of("/proc/self/maps");
            if (Files.exists(maps)) {
                assertTrue(Files.readString(maps).contains(scratch.resolve("focal-").toString()),
                        "the tensor maps the unlinked temporary file");
            }
            assertEquals(n, t.count());
            assertEquals(-1.0, t.getDouble(0));
            assertEquals(0.0, t.getDouble(1));
            assertEquals(0.5, t.getDouble(n / 2));
            assertEquals(42.0, t.getDouble(n - 1));
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }

    /** A float64 .npy of {@code n} zeros but for {@code values}, streamed so the test stays small. */
    static void writeNpy(OutputStream out, long n, Map<Long, Double> values) throws IOException {
        out.write(NpyFormat.header(DType.FLOAT64, Shape.of(n)));
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            chunk.putDouble(values.getOrDefault(i, 0.0));
            if (!chunk.hasRemaining() || i == n - 1) {
                out.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
        }
    }

    /** A small .npy, as numpy would write it. */
    static byte[] npy(double... values) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NpyFormat().write(Tensor.ofDoubles(Shape.of(values.length), values), out);
        return out.toByteArray();
    }
}
