package dev.focal.cli;

import static dev.focal.cli.NpyFiles.NPY;
import static dev.focal.cli.RunOutcome.assertOneLine;
import static dev.focal.cli.RunOutcome.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: inputs are never overwritten (docs/guarantees.md). An output naming an input, by
 * any path, or naming a directory is refused before any work, with exit 2.
 */
class InputsNeverOverwrittenTest {
    @TempDir
    Path tmp;

    /** An output that is a directory is refused before any work, and the directory is left alone. */
    @Test
    void anOutputThatIsADirectoryIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("x.npy"));
        Path json = Files.createDirectory(tmp.resolve("s.json"));
        String in = NPY.resolve("vec_f4.npy").toString();
        List<String[]> runs = List.of(
                new String[] {"convert", in, dir.toString()},
                new String[] {"eval", "--logits", in, "--targets", in, "--out", dir.toString()},
                new String[] {"eval", "--logits", in, "--targets", in, "--grad-out", dir.toString()},
                new String[] {"eval", "--logits", in, "--targets", in, "--stats", json.toString()},
                new String[] {"compare", in, in, "--junit", json.toString()});
        for (String[] args : runs) {
            Cli r = Cli.run(args);
            assertEquals(2, r.code, String.join(" ", args) + "\n" + r);
            assertOneLine(r.err);
            assertTrue(r.err.contains("is a directory"), r.err);
        }
        assertEquals(List.of(), list(dir));
        assertEquals(List.of(), list(json));
    }

    /** An input is never overwritten, whatever path names it: the same, a symlink, a hard link. */
    @Test
    void anInputIsNeverOverwritten() throws IOException {
        Path in = tmp.resolve("in.npy");
        Files.copy(NPY.resolve("vec_f4.npy"), in);
        byte[] before = Files.readAllBytes(in);
        Path symlink = Files.createSymbolicLink(tmp.resolve("link.npy"), in);
        Path hardlink = Files.createLink(tmp.resolve("hard.npy"), in);
        Path dotted = tmp.resolve(".").resolve("in.npy");
        for (Path out : List.of(in, symlink, hardlink, dotted)) {
            Cli c = Cli.run("convert", in.toString(), out.toString());
            assertEquals(2, c.code, out + "\n" + c);
            assertOneLine(c.err);
            Cli e = Cli.run("eval", "--logits", in.toString(), "--targets", in.toString(), "--out", out.toString());
            assertEquals(2, e.code, out + "\n" + e);
            assertOneLine(e.err);
        }
        assertArrayEquals(before, Files.readAllBytes(in));
        assertTrue(Files.isSymbolicLink(symlink));
    }
}
