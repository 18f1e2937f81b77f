package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A commit below {@link AtomicFile#SET_ASIDE_BYTES} renames over the target; from it on, the old
 * target is renamed aside and deleted. Either way the directory ends with the target alone.
 */
class AtomicFileTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    private void commit(Path target, byte[] content) throws IOException {
        try (AtomicFile.Pending pending = AtomicFile.create(target)) {
            Files.write(pending.path(), content);
            pending.commit();
        }
    }

    @ParameterizedTest(name = "{0} bytes, an old target: {1}")
    @CsvSource({"100, true", "1048575, true", "1048576, true", "3145728, true", "100, false", "3145728, false"})
    void replacesOrCreatesTheTargetAndLeavesNothingElse(int size, boolean oldTarget) throws IOException {
        assertEquals(1 << 20, AtomicFile.SET_ASIDE_BYTES, "the sizes above straddle it");
        Path target = dir.resolve("out.npy");
        if (oldTarget) {
            Files.write(target, bytes(5000, 1));
        }
        byte[] content = bytes(size, 2);
        commit(target, content);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(target), listing());
    }

    /** As rename does: the link is replaced, the file it pointed to keeps its bytes. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, 3 << 20})
    void replacesASymlinkNotWhatItPointsTo(int size) throws IOException {
        Path pointed = dir.resolve("pointed.npy");
        byte[] old = bytes(5000, 4);
        Files.write(pointed, old);
        Path target = Files.createSymbolicLink(dir.resolve("link.npy"), pointed);
        byte[] content = bytes(size, 5);
        commit(target, content);
        assertFalse(Files.isSymbolicLink(target));
        assertArrayEquals(content, Files.readAllBytes(target));
        assertArrayEquals(old, Files.readAllBytes(pointed));
        assertEquals(List.of(target, pointed), listing());
    }

    /** A target that became a directory after the file was started is refused, and kept. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, 3 << 20})
    void aTargetThatBecameADirectoryStaysAndTheCommitFails(int size) throws IOException {
        Path target = dir.resolve("out.npy");
        try (AtomicFile.Pending pending = AtomicFile.create(target)) {
            Files.write(pending.path(), bytes(size, 6));
            Files.createDirectory(target);
            Files.writeString(target.resolve("inside"), "kept");
            IOException e = assertThrows(IOException.class, pending::commit);
            assertEquals(0, e.getSuppressed().length, "nothing was set aside, so nothing is put back");
        }
        assertTrue(Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(target.resolve("inside")));
        assertEquals(List.of(target), listing());
    }

    /** A rename as FaultyFileSystem logs it: "from -> to" by file name. */
    private static String rename(Path from, Path to) {
        return from.getFileName() + " -> " + to.getFileName();
    }

    /** Where a commit sets an old target aside: the temporary file's name ending .old. */
    private static Path aside(AtomicFile.Pending pending) {
        String tmp = pending.path().getFileName().toString();
        return pending.path().resolveSibling(tmp.substring(0, tmp.length() - ".tmp".length()) + ".old");
    }

    /**
     * Which commits set the old target aside before the new file takes its name: only a file of
     * {@link AtomicFile#SET_ASIDE_BYTES} or more, over an existing target, and not with
     * FOCAL_FSYNC=1. The directory ends the same either way; the renames show the way taken.
     */
    @ParameterizedTest(name = "{0} bytes, an old target: {1}, synced: {2}")
    @CsvSource({"1048575, true, false, false", "1048576, true, false, true", "3145728, true, false, true",
            "3145728, true, true, false", "3145728, false, false, false"})
    void onlyABigFileOverAnOldTargetSetsItAside(int size, boolean oldTarget, boolean sync, boolean setAside)
            throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(dir.resolve("out.npy"));
        if (oldTarget) {
            Files.write(target, bytes(5000, 1));
        }
        byte[] content = bytes(size, 2);
        AtomicFile.syncToDisk(sync);
        try (AtomicFile.Pending pending = AtomicFile.create(target)) {
            Files.write(pending.path(), content);
            pending.commit();
            List<String> renames = setAside ? List.of(rename(target, aside(pending)), rename(pending.path(), target))
                    : List.of(rename(pending.path(), target));
            assertEquals(renames, fs.log);
        } finally {
            // The default, which every run of the command line sets again from FOCAL_FSYNC.
            AtomicFile.syncToDisk(false);
        }
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(dir.resolve("out.npy")), listing());
    }

    /**
     * A rename that fails after the old target was set aside (an I/O error; no file on a working
     * disk provokes it) puts the old target back under its name: the run fails with exit 4 and
     * the target keeps its old content.
     */
    @Test
    void aFailedRenameAfterTheSetAsidePutsTheOldTargetBack() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(dir.resolve("out.npy"));
        byte[] old = bytes(5000, 1);
        Files.write(target, old);
        fs.failMove = (from, to) -> from.getFileName().toString().endsWith(".tmp");
        FocalException e = assertThrows(FocalException.class,
                () -> AtomicFile.write(target, out -> out.write(bytes(3 << 20, 2))));
        assertEquals(FocalException.OUTPUT, e.exitCode());
        assertEquals(target + ": cannot write: input/output error", e.getMessage());
        assertEquals(2, fs.log.size(), "set aside, then put back: " + fs.log);
        assertEquals(fs.log.get(0).replaceFirst("(.*) -> (.*)", "$2 -> $1"), fs.log.get(1));
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of(dir.resolve("out.npy")), listing());
    }

    /**
     * When putting the old target back fails too, its content stays under the set-aside name, and
     * the commit's failure carries the second one.
     */
    @Test
    void aFailedPutBackLeavesTheOldTargetAsideAndSaysWhy() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(dir.resolve("out.npy"));
        byte[] old = bytes(5000, 1);
        Files.write(target, old);
        fs.failMove = (from, to) -> to.equals(target);
        Path aside;
        try (AtomicFile.Pending pending = AtomicFile.create(target)) {
            aside = aside(pending);
            Files.write(pending.path(), bytes(3 << 20, 2));
            IOException e = assertThrows(IOException.class, pending::commit);
            assertEquals(pending.path() + ": Input/output error", e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            assertEquals(aside + ": Input/output error", e.getSuppressed()[0].getMessage());
            assertEquals(List.of(rename(target, aside)), fs.log);
        }
        assertArrayEquals(old, Files.readAllBytes(aside));
        assertEquals(List.of(dir.resolve(aside.getFileName().toString())), listing());
    }

    /**
     * A target that cannot be set aside is renamed over; when that fails too, the target keeps
     * its content and the failure is the rename's alone (nothing is put back).
     */
    @Test
    void aTargetThatCannotBeSetAsideIsRenamedOver() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(dir.resolve("out.npy"));
        byte[] old = bytes(5000, 1);
        Files.write(target, old);
        fs.failMove = (from, to) -> true;
        try (AtomicFile.Pending pending = AtomicFile.create(target)) {
            Files.write(pending.path(), bytes(3 << 20, 2));
            IOException e = assertThrows(IOException.class, pending::commit);
            assertEquals(pending.path() + ": Input/output error", e.getMessage());
            assertEquals(0, e.getSuppressed().length);
        }
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of(), fs.log);

        fs.failMove = (from, to) -> to.getFileName().toString().endsWith(".old");
        byte[] content = bytes(3 << 20, 3);
        commit(target, content);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(1, fs.log.size(), fs.log.toString());
        assertEquals(List.of(dir.resolve("out.npy")), listing());
    }

    /** The temporary file is made and closed at once: it is written through a channel of its own. */
    @Test
    void creatingLeavesNoDescriptorOpen() throws IOException {
        Descriptors.assumeProc();
        try (AtomicFile.Pending pending = AtomicFile.create(dir.resolve("out.npy"))) {
            assertTrue(Files.exists(pending.path()));
            assertEquals(List.of(), Descriptors.openUnder(dir));
        }
    }

    /**
     * FOCAL_FSYNC=1 forces the finished file to disk before its rename, and by default nothing is
     * forced ({@link AtomicFile#force}): short of a machine crash only the order of the calls
     * shows it.
     */
    @ParameterizedTest(name = "synced: {0}")
    @ValueSource(booleans = {false, true})
    void aFileIsForcedBeforeItsRenameOnlyWhenAsked(boolean sync) throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(dir.resolve("out.bin"));
        AtomicFile.syncToDisk(sync);
        try {
            AtomicFile.write(target, out -> out.write(bytes(100, 1)));
        } finally {
            AtomicFile.syncToDisk(false);
        }
        String rename = fs.log.get(fs.log.size() - 1);
        String tmp = rename.substring(0, rename.indexOf(" -> "));
        assertEquals(tmp + " -> out.bin", rename);
        assertEquals(sync ? List.of("force " + tmp, rename) : List.of(rename), fs.log);
        assertArrayEquals(bytes(100, 1), Files.readAllBytes(target));
    }
}
