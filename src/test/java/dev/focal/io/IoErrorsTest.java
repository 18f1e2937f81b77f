package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.ContentReference;
import dev.focal.FocalException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phrases one-line messages end with, the listing of keys, and standard output's failures. */
class IoErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void javasIoExceptionsBecomeShortPhrases() {
        assertEquals("no such file or directory", IoErrors.describe(new NoSuchFileException("/x")));
        assertEquals("permission denied", IoErrors.describe(new AccessDeniedException("/x")));
        assertEquals("not a directory", IoErrors.describe(new NotDirectoryException("/x")));
        assertEquals("already exists", IoErrors.describe(new FileAlreadyExistsException("/x")));
        assertEquals("is a non-empty directory", IoErrors.describe(new DirectoryNotEmptyException("/x")));
        assertEquals("no space left on device", IoErrors.describe(new FileSystemException("/x", null, "No space left on device")));
        assertEquals("FileSystemException", IoErrors.describe(new FileSystemException("/x")));
        assertEquals("input/output error", IoErrors.describe(new IOException("Input/output error")));
        assertEquals("EOFException", IoErrors.describe(new EOFException()));
        assertEquals("", IoErrors.lower(""));
    }

    /** Jackson's complaint is cut at its first line break, wherever that is, and follows its position. */
    @Test
    void aJsonProblemIsItsFirstLine() {
        JsonLocation at = new JsonLocation(ContentReference.unknown(), -1, 3, 7);
        assertEquals(" at line 3, column 7: unexpected character ('x' (code 120))", IoErrors.jsonProblem(
                new JsonParseException(null, "Unexpected character ('x' (code 120))\n at [Source: (file)]", at)));
        assertEquals(" at line 3, column 7: ", IoErrors.jsonProblem(new JsonParseException(null, "\nexcerpt", at)));
        assertEquals(": unexpected end-of-input", IoErrors.jsonProblem(new JsonParseException(null,
                "Unexpected end-of-input: was expecting (JSON String, Number, Array, Object or token 'null')")));
    }

    @Test
    void aListingShowsTenKeysThenHowManyMore() {
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "k" + i).collect(Collectors.toList());
        assertEquals("k0, k1, k2, k3, k4, k5, k6, k7, k8, k9", IoErrors.listing(ten));
        List<String> eleven = IntStream.range(0, 11).mapToObj(i -> "k" + i).collect(Collectors.toList());
        assertEquals("k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 and 1 more", IoErrors.listing(eleven));
        assertEquals("a\\nb", IoErrors.listing(List.of("a\nb")));
        assertEquals("x".repeat(100), IoErrors.shown("x".repeat(100)), "100 characters are shown whole");
        assertEquals("x".repeat(99) + "\\n...", IoErrors.shown("x".repeat(99) + "\n" + "y"));
    }

    /** A stream that fails every write as a full disk does. */
    private static final class Full extends OutputStream {
        int tries;

        @Override
        public void write(int b) throws IOException {
            tries++;
            throw new FileSystemException(null, null, "No space left on device");
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            write(0);
        }
    }

    @Test
    void standardOutputKeepsItsFirstFailure() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StandardOutput fine = new StandardOutput(bytes);
        fine.write('a');
        fine.write(new byte[] {'x', 'b', 'c', 'y'}, 1, 2);
        assertEquals("abc", bytes.toString());
        assertNull(fine.lost());

        Full full = new Full();
        StandardOutput out = new StandardOutput(full);
        IOException first = assertThrows(IOException.class, () -> out.write('a'));
        assertSame(first, assertThrows(IOException.class, () -> out.write(new byte[3], 0, 3)), "the first failure again");
        assertEquals(1, full.tries, "nothing is written after a failure");
        FocalException lost = out.lost();
        assertEquals(FocalException.OUTPUT, lost.exitCode());
        assertEquals("standard output: cannot write: no space left on device", lost.getMessage());
    }

    /** A reader that went away has read all it wanted: no failure (docs/commands.md#pipes). */
    @Test
    void aClosedPipeIsNoLoss() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.source().close();
        StandardOutput out = new StandardOutput(Channels.newOutputStream(pipe.sink()));
        assertThrows(IOException.class, () -> out.write(new byte[10], 0, 10));
        assertNull(out.lost());
        pipe.sink().close();
    }

    /** FOCAL_FSYNC=1: the file is forced to disk before its rename, and is whole either way. */
    @Test
    void aSyncedWriteIsTheSameFile() throws IOException {
        try {
            for (boolean sync : new boolean[] {true, false}) {
                AtomicFile.syncToDisk(sync);
                assertEquals(sync, AtomicFile.syncsToDisk());
                Path target = tmp.resolve("sync_" + sync + ".bin");
                byte[] content = new byte[(int) AtomicFile.SET_ASIDE_BYTES + 5];
                content[7] = 7;
                Files.write(target, new byte[] {1});
                AtomicFile.write(target, out -> out.write(content));
                assertEquals(content.length, Files.size(target));
                assertEquals(7, Files.readAllBytes(target)[7]);
            }
        } finally {
            // The default, which every run of the command line sets again from FOCAL_FSYNC (not
            // what syncsToDisk said before: a mutant of it would leave the flag on for later tests).
            AtomicFile.syncToDisk(false);
        }
        try (var s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temporary or set-aside file is left");
        }
    }

    @Test
    void aMissingFolderIsCreatedAndAFileInTheWayNamed() throws IOException {
        Path deep = tmp.resolve("a/b/out.bin");
        AtomicFile.write(deep, out -> out.write(1));
        assertTrue(Files.isRegularFile(deep));
        Path blocker = Files.writeString(tmp.resolve("file"), "x");
        Path under = blocker.resolve("out.bin");
        FocalException e = assertThrows(FocalException.class, () -> AtomicFile.write(under, out -> out.write(1)));
        assertEquals(FocalException.OUTPUT, e.exitCode());
        assertEquals(under + ": cannot write: " + blocker + " is not a directory", e.getMessage());
        Path deeper = blocker.resolve("c/out.bin");
        e = assertThrows(FocalException.class, () -> AtomicFile.write(deeper, out -> out.write(1)));
        assertEquals(FocalException.OUTPUT, e.exitCode());
        assertEquals(deeper + ": cannot create its folder: not a directory", e.getMessage());
        assertEquals("x", Files.readString(blocker));
    }
}
