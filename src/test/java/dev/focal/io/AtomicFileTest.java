package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
            assertThrows(IOException.class, pending::commit);
        }
        assertTrue(Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(target.resolve("inside")));
        assertEquals(List.of(target), listing());
    }
}
