package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a file is opened: by content, then by extension; what is no tensor file; pipes through a
 * copy; FILE:KEY; the output format by extension. Values are numpy's (tools/fixtures/npy_fixtures.py).
 */
class TensorIOTest {
    static final Path NPY = Path.of("src/test/resources/io/npy");
    static final Path NPZ = Path.of("src/test/resources/io/npz");

    @TempDir
    Path tmp;

    static JsonNode numpy(String file) throws IOException {
        for (JsonNode e : new ObjectMapper().readTree(NPY.resolve("manifest.json").toFile())) {
            if (e.get("file").asText().equals(file)) {
                return e;
            }
        }
        throw new AssertionError("no " + file + " in the manifest");
    }

    static void assertRefused(int exitCode, String message, Executable e) {
        FocalException x = assertThrows(FocalException.class, e);
        assertEquals(exitCode, x.exitCode(), x.getMessage());
        assertEquals(message, x.getMessage());
    }

    @Test
    void whatIsNoTensorFileIsNamedInOneLine() throws IOException {
        Path absent = tmp.resolve("absent.npy");
        assertRefused(3, absent + ": no such file", () -> TensorIO.open(absent.toString()));
        assertRefused(3, tmp + ": is a directory, expected a tensor file", () -> TensorIO.open(tmp.toString()));
        Path empty = Files.createFile(tmp.resolve("empty.bin"));
        assertRefused(3, empty + ": empty file", () -> TensorIO.open(empty.toString()));
        Path text = Files.writeString(tmp.resolve("notes.txt"), "some notes\n");
        assertRefused(3, text + ": not a tensor file (expected .npy, .npz, .safetensors, .pt/.pth, .pkl, or JSON)",
                () -> TensorIO.open(text.toString()));
        assertRefused(3, "/dev/null: is a device, not a file or a pipe", () -> TensorIO.open("/dev/null"));
    }

    @Test
    void contentDecidesBeforeTheExtension() throws IOException {
        // numpy's .npy under a JSON name is read as .npy; text under a .npy name gets .npy's refusal.
        Path npy = tmp.resolve("logits.json");
        Files.copy(NPY.resolve("le_float32.npy"), npy);
        try (TensorFile f = TensorIO.open(npy.toString())) {
            NumpyView.assertMatchesNumpy(numpy("le_float32.npy"), f.get(null));
        }
        Path text = Files.writeString(tmp.resolve("logits.npy"), "some notes\n");
        assertRefused(3, text + ": not a .npy file (no \\x93NUMPY magic)", () -> TensorIO.open(text.toString()));
    }

    @Test
    void readTakesTheKeyOfTheReference() throws IOException {
        Tensor t = TensorIO.read(new TensorRef(NPY.resolve("le_int16.npy").toString(), null));
        NumpyView.assertMatchesNumpy(numpy("le_int16.npy"), t);
        assertRefused(3, NPY.resolve("le_int16.npy") + ": holds a single array, not a bundle: no key 'x'",
                () -> TensorIO.read(new TensorRef(NPY.resolve("le_int16.npy").toString(), "x")));
    }

    @Test
    void aPipeIsReadThroughACopyThatGoesWithTheFile() throws IOException {
        byte[] npy = Files.readAllBytes(NPY.resolve("be_float64.npy"));
        Set<Path> before = copies();
        TensorFile f = Spool.open(new ByteArrayInputStream(npy), "-", TensorIO::openFile);
        Set<Path> copy = copies();
        copy.removeAll(before);
        try (f) {
            assertEquals(1, copy.size(), "the copy");
            assertEquals("-", f.name());
            assertEquals(List.of(), f.keys());
            assertEquals(Map.of(), f.metadata());
            NumpyView.assertMatchesNumpy(numpy("be_float64.npy"), f.get(null));
        }
        assertFalse(Files.exists(copy.iterator().next()), "the copy is deleted with the file");

        try (TensorFile z = Spool.open(new ByteArrayInputStream(Files.readAllBytes(NPZ.resolve("mixed_names.npz"))),
                "-", TensorIO::openFile)) {
            assertEquals(List.of("weights", "arr_0", "arr_1"), z.keys());
        }

        before = copies();
        assertRefused(3, "-: empty file",
                () -> Spool.open(new ByteArrayInputStream(new byte[0]), "-", TensorIO::openFile));
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };
        assertRefused(3, "-: cannot read: input/output error", () -> Spool.open(broken, "-", TensorIO::openFile));
        Set<Path> left = copies();
        left.removeAll(before);
        assertEquals(Set.of(), left, "a refused copy is deleted at once");
    }

    /** The spooled copies in the temporary directory, which is where focal makes them. */
    private static Set<Path> copies() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("focal-spool-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    @Test
    void aRegularFileIsNotSpooledAndStandardInputIsOnlyADash() throws IOException {
        Path npy = NPY.resolve("le_uint8.npy");
        assertFalse(Spool.needed(npy, npy.toString()));
        assertFalse(Spool.readsStdinStream(npy.toString()));
        assertFalse(Spool.readsStdinStream(tmp.resolve("absent").toString()));
        assertEquals(!Files.isRegularFile(Path.of("/dev/stdin")), Spool.readsStdinStream("-"),
                "this JVM's standard input, which is read once unless it is a regular file");
    }

    @Test
    void aColonSplitsOffAKeyOnlyAfterAnExistingFile() throws IOException {
        String npz = NPZ.resolve("savez.npz").toString();
        TensorRef ref = TensorRef.parse(npz + ":logits");
        assertEquals(npz, ref.file());
        assertEquals("logits", ref.key());
        assertEquals(npz + ":logits", ref.toString());
        assertEquals(Path.of(npz), ref.path());
        TensorRef other = ref.withKey("labels");
        assertEquals(npz, other.file());
        assertEquals("labels", other.key());

        for (String whole : List.of(npz, npz + ":", ":logits", tmp.resolve("absent.npz") + ":logits", "-")) {
            TensorRef r = TensorRef.parse(whole);
            assertEquals(whole, r.file(), whole);
            assertNull(r.key(), whole);
            assertEquals(whole, r.toString());
        }
        Path colon = Files.copy(NPY.resolve("le_int8.npy"), tmp.resolve("a:b.npy"));
        assertEquals(colon.toString(), TensorRef.parse(colon.toString()).file(), "a file whose name holds a colon");
        assertNull(TensorRef.parse(colon.toString()).key());
        TensorRef last = TensorRef.parse(colon + ":k");
        assertEquals(colon.toString(), last.file(), "the last colon splits");
        assertEquals("k", last.key());
        assertEquals(colon + ":k", last.toString());
        Path dir = Files.createDirectory(tmp.resolve("x"));
        assertEquals(dir.toString(), TensorRef.parse(dir + ":y.npy").file(), "a folder is an existing file too");
        assertEquals("y.npy", TensorRef.parse(dir + ":y.npy").key());
        assertEquals("bad\0name", TensorRef.parse("bad\0name").file(), "no path at all");
        TensorRef key = TensorRef.parse(dir + ":k\0");
        assertEquals(dir.toString(), key.file(), "a key that is no file name");
        assertEquals("k\0", key.key());
        TensorRef stdin = TensorRef.parse("-:logits");
        assertEquals("-", stdin.file(), "standard input is an existing file");
        assertEquals("logits", stdin.key());
    }

    /** Names the JVM decoded from bytes that are not UTF-8, or cannot encode (docs/commands.md#pipes). */
    @Test
    void aNameThatIsNoFileNameIsRefusedNamingIt() {
        String charset = System.getProperty("sun.jnu.encoding");
        boolean utf8 = "UTF-8".equals(charset);
        String notInCharset = "file name not representable in " + charset + ", the charset of the JVM's locale;"
                + " run focal in a UTF-8 locale, as bin/focal does";
        assertRefused(3, "\uFFFDa.npy: " + (utf8 ? "file name is not valid UTF-8 (focal reads file names as UTF-8)"
                : notInCharset), () -> FileNames.path("\uFFFDa.npy", FocalException.INPUT));
        assertRefused(2, "a\uD800.npy: " + (utf8 ? "not a file name: malformed input or input contains unmappable"
                + " characters" : notInCharset), () -> FileNames.path("a\uD800.npy", FocalException.USAGE));
        assertEquals(Path.of("caf\u00e9.npy"), FileNames.path("caf\u00e9.npy", FocalException.INPUT));
    }

    @Test
    void theOutputFormatIsTheExtensions() throws IOException {
        assertEquals(DType.FLOAT32, TensorIO.writtenAs(DType.BFLOAT16, Path.of("out.NPY")));
        assertEquals(DType.INT8, TensorIO.writtenAs(DType.INT8, Path.of("out.npy")));
        assertEquals(DType.BFLOAT16, TensorIO.writtenAs(DType.BFLOAT16, Path.of("out.json")));
        assertEquals(DType.BFLOAT16, TensorIO.writtenAs(DType.BFLOAT16, Path.of("d/out.safetensors")));
        assertTrue(TensorIO.writesBundles(Path.of("out.safetensors")));
        assertFalse(TensorIO.writesBundles(Path.of("out.npy")));
        assertFalse(TensorIO.writesBundles(Path.of("out.json")));
        for (String name : List.of("out.npz", "out.pt", "out.pkl", "out.txt", "out")) {
            assertRefused(2, name + ": cannot tell the output format; name the file .npy, .json or .safetensors",
                    () -> TensorIO.checkOutput(Path.of(name)));
        }
        assertRefused(2, "/: cannot tell the output format; name the file .npy, .json or .safetensors",
                () -> TensorIO.checkOutput(Path.of("/")));
        Path dir = Files.createDirectory(tmp.resolve("out.npy"));
        assertRefused(2, dir + ": is a directory, expected an output file", () -> TensorIO.checkOutput(dir));
        TensorIO.checkOutput(tmp.resolve("new.json"));
        assertFalse(Files.exists(tmp.resolve("new.json")), "checking creates nothing");
    }

    @Test
    void aLoneTensorIsStoredUnderItsFilesStem() {
        assertEquals("logits", TensorIO.stem("runs/7/logits.safetensors"));
        assertEquals("a.b", TensorIO.stem("a.b.c"));
        assertEquals(".hidden", TensorIO.stem(".hidden"));
        assertEquals("plain", TensorIO.stem("plain"));
        assertEquals("/", TensorIO.stem("/"));
    }

    @Test
    void bundlesAreKnownByTheirNames() {
        for (String name : List.of("a.npz", "a.json", "a.safetensors", "a.pt", "a.pth", "a.pkl", "A.NPZ")) {
            assertTrue(TensorIO.isBundleName(name), name);
        }
        for (String name : List.of("a.npy", "a.txt", "a")) {
            assertFalse(TensorIO.isBundleName(name), name);
        }
    }

    /** A format of named tensors stores a lone tensor under the output's stem. */
    @Test
    void aLoneTensorWrittenToSafetensorsIsNamedByTheFile() throws IOException {
        Tensor t = TensorIO.read(new TensorRef(NPY.resolve("le_float32.npy").toString(), null));
        Path out = tmp.resolve("logits.safetensors");
        TensorIO.write(t, out);
        try (TensorFile f = TensorIO.open(out.toString())) {
            assertEquals(List.of("logits"), f.keys());
            NumpyView.assertMatchesNumpy(numpy("le_float32.npy"), f.get("logits"));
        }
    }

    @Test
    void aTensorWrittenAsNpyIsWhatNumpySaveWrites() throws IOException {
        Tensor t;
        try (TensorFile f = TensorIO.open(NPY.resolve("be_int32.npy").toString())) {
            t = f.get(null);
        }
        Path out = tmp.resolve("d").resolve("out.npy");
        TensorIO.write(t, out);
        assertArrayEquals(Files.readAllBytes(NPY.resolve("canonical_be_int32.npy")), Files.readAllBytes(out));
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of(out), s.toList(), "no temporary file is left");
        }
    }
}
