package dev.focal.io;

import static dev.focal.io.TensorIOTest.NPY;
import static dev.focal.io.TensorIOTest.assertRefused;
import static dev.focal.io.TensorIOTest.numpy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standard input and other pipes (docs/commands.md#pipes), in-process: a java.nio Pipe is a
 * pipe(2), /proc/self/fd/N a path to it as /dev/stdin is to a standard input that is a pipe, and
 * TensorIO and Spool take standard input's path and stream as parameters. Values are numpy's
 * (tools/fixtures/npy_fixtures.py, tools/fixtures/safetensors_fixtures.py).
 */
class SpoolTest {
    static final Path SAFETENSORS = Path.of("src/test/resources/io/safetensors");

    @TempDir
    Path tmp;
    private Pipe pipe;
    /** The pipe as a path, /proc/self/fd/N. */
    private Path piped;
    /** The spooled copies open before the test: another test's, which it may have left open on failing. */
    private List<String> copiesBefore;

    @BeforeEach
    void aPipe() throws IOException {
        Descriptors.assumeProc();
        copiesBefore = copiesOpen();
        Map<Integer, String> before = Descriptors.all();
        pipe = Pipe.open();
        piped = Descriptors.newPipe(before);
    }

    @AfterEach
    void closePipe() throws IOException {
        if (pipe != null) {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /** Puts {@code file}'s bytes in the pipe, and its end: they fit in its buffer of 64 KiB. */
    private void fill(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length < 1 << 16, file + " fits in the pipe");
        pipe.sink().write(ByteBuffer.wrap(bytes));
        pipe.sink().close();
    }

    /** The spooled copies that a descriptor is open on. */
    private static List<String> copiesOpen() throws IOException {
        return Descriptors.openUnder(Path.of(System.getProperty("java.io.tmpdir"))).stream()
                .filter(p -> p.contains("/focal-spool-")).toList();
    }

    /** The spooled copies opened during the test and still open. */
    private List<String> newCopiesOpen() throws IOException {
        List<String> open = new ArrayList<>(copiesOpen());
        open.removeAll(copiesBefore);
        return open;
    }

    @Test
    void aPathToAPipeIsReadThroughACopy() throws IOException {
        fill(NPY.resolve("be_float64.npy"));
        assertTrue(Spool.needed(piped, piped.toString()));
        try (TensorFile f = TensorIO.open(piped.toString())) {
            assertEquals(piped.toString(), f.name());
            NumpyView.assertMatchesNumpy(numpy("be_float64.npy"), f.get(null));
        }
        assertEquals(List.of(), newCopiesOpen());
    }

    @Test
    void standardInputIsCopiedWhenAPipeAndReadInPlaceWhenAFile() throws IOException {
        fill(NPY.resolve("le_int8.npy"));
        try (TensorFile f = TensorIO.open("-", piped, Channels.newInputStream(pipe.source()))) {
            assertEquals("-", f.name());
            NumpyView.assertMatchesNumpy(numpy("le_int8.npy"), f.get(null));
        }
        Path redirected = NPY.resolve("le_int16.npy");
        try (TensorFile f = TensorIO.open("-", redirected, InputStream.nullInputStream())) {
            assertEquals("-", f.name());
            NumpyView.assertMatchesNumpy(numpy("le_int16.npy"), f.get(null));
        }
        assertEquals(List.of(), newCopiesOpen());
    }

    /** Which inputs read a standard input that can be read once (docs/commands.md#pipes). */
    @Test
    void onlyAStreamOnStandardInputIsReadOnce() throws IOException {
        assertTrue(Spool.readsStdinStream("-", piped));
        assertTrue(Spool.readsStdinStream(piped.toString(), piped), "the pipe by its path, as /dev/fd/0");
        Path npy = NPY.resolve("le_uint8.npy");
        assertFalse(Spool.readsStdinStream(npy.toString(), piped));
        assertFalse(Spool.readsStdinStream(tmp.resolve("absent").toString(), piped));
        assertFalse(Spool.readsStdinStream("no\0name", piped));
        assertFalse(Spool.readsStdinStream("-", npy), "redirected from a file: read in place");
        assertFalse(Spool.readsStdinStream(npy.toString(), npy));
    }

    /** A spooled file is the file read from the copy: its metadata too; its close closes that. */
    @Test
    void aSpooledFileIsTheCopysFile() throws IOException {
        fill(SAFETENSORS.resolve("metadata.safetensors"));
        JsonNode expected = new ObjectMapper().readTree(SAFETENSORS.resolve("manifest.json").toFile())
                .get("files").get("metadata.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        expected.get("metadata").properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
        try (TensorFile f = Spool.open(Channels.newInputStream(pipe.source()), "-", TensorIO::openFile)) {
            assertEquals(List.of(expected.get("tensors").get(0).get("key").asText()), f.keys());
            assertEquals(metadata, f.metadata());
            assertEquals(1, newCopiesOpen().size(), "the copy, open: " + newCopiesOpen());
        }
        assertEquals(List.of(), newCopiesOpen());
    }

    /**
     * A file whose type cannot be read (it went away since it was found) is read as a stream,
     * whose open then says why; a device is refused.
     */
    @Test
    void whatIsNeitherAFileNorAPipe() throws IOException {
        Path dangling = Files.createSymbolicLink(tmp.resolve("link.npy"), tmp.resolve("gone.npy"));
        assertTrue(Spool.needed(dangling, dangling.toString()));
        assertRefused(3, "/dev/zero: is a device, not a file or a pipe", () -> Spool.needed(Path.of("/dev/zero"),
                "/dev/zero"));
    }
}
