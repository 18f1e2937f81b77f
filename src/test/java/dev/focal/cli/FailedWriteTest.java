package dev.focal.cli;

import static dev.focal.cli.NpyFiles.NPY;
import static dev.focal.cli.NpyFiles.writeF4;
import static dev.focal.cli.RunOutcome.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: a failed write is exit 4 and leaves nothing behind (docs/guarantees.md): a full
 * disk, a file size limit, a read-only directory or file system. Each needs a real process,
 * under a mount, a ulimit or dropped privileges.
 */
@Tag("process")
class FailedWriteTest {
    @TempDir
    Path tmp;

    /** A full file system: exit 4, one line, the old file intact, no temporary file left. */
    @Test
    void aFullDiskIsExitFourAndLeavesNoLitter() throws Exception {
        Assumptions.assumeTrue(ChildJvm.canUnshareMounts(), "needs root (or CAP_SYS_ADMIN) and unshare(1) to mount"
                + " a 1 MiB tmpfs in a private mount namespace; the ulimit test below covers the same path");
        Path in = tmp.resolve("in.npy");
        writeF4(in, 1L << 20, i -> 0);
        Path dir = Files.createDirectory(tmp.resolve("full"));
        String java = ChildJvm.javaCommand(List.of()).stream().map(ChildJvm::quote).collect(Collectors.joining(" "));
        String script = "mount -t tmpfs -o size=1m focal-full " + dir + " || exit 99\n"
                + "printf old > " + dir + "/out.npy\n"
                + "printf old > " + dir + "/loss.npy\n"
                + java + " convert " + in + " " + dir + "/out.npy; echo \"convert=$?\"\n"
                + java + " eval --logits " + in + " --targets " + in + " --out " + dir + "/loss.npy"
                + " --stats " + dir + "/stats.json >/dev/null; echo \"eval=$?\"\n"
                + "ls -A " + dir + "; cat " + dir + "/out.npy " + dir + "/loss.npy\n";
        ChildJvm.Result r = ChildJvm.exec(List.of("unshare", "-m", "sh", "-c", script));
        assertEquals(0, r.code, r.toString());
        assertEquals(List.of("convert=4", "eval=4", "loss.npy", "out.npy", "oldold"), r.out.lines()
                .collect(Collectors.toList()), r.toString());
        assertEquals(List.of("focal: " + dir + "/out.npy: cannot write: no space left on device",
                "focal: " + dir + "/loss.npy: cannot write: no space left on device"),
                r.err.lines().filter(l -> l.startsWith("focal:")).collect(Collectors.toList()), r.toString());
    }

    /** Exit 4 with one line naming the output and the problem, the old file intact, nothing else left beside it. */
    private void assertWriteRefused(ChildJvm.Result r, Path out, String problem) throws IOException {
        assertEquals(4, r.code, r.toString());
        assertEquals("focal: " + out + ": cannot write: " + problem + "\n", r.err);
        assertEquals("old", Files.readString(out));
        assertEquals(List.of(out), list(out.getParent()));
    }

    /** A file size limit (ulimit -f, which works without root) fails writes the same way. */
    @Test
    void aFileSizeLimitIsExitFourAndLeavesNoLitter() throws Exception {
        Path in = tmp.resolve("in.npy");
        writeF4(in, 1L << 20, i -> 0);
        Path dir = Files.createDirectory(tmp.resolve("limited"));
        Path out = dir.resolve("out.npy");
        Files.writeString(out, "old");
        String java = ChildJvm.javaCommand(List.of()).stream().map(ChildJvm::quote).collect(Collectors.joining(" "));
        // 1024 blocks of 512 (POSIX sh) or 1024 bytes: well under the 4 MiB output
        ChildJvm.Result r = ChildJvm.exec(List.of("sh", "-c", "ulimit -f 1024 && exec " + java + " convert " + in + " " + out));
        assertWriteRefused(r, out, "file too large");
    }

    /** A directory that cannot be written to: exit 4, one line, the old file intact, nothing left. */
    @Test
    void aReadOnlyDirectoryIsExitFour() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        Path out = dir.resolve("out.npy");
        Files.writeString(out, "old");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            List<String> prefix = ChildJvm.permissionsEnforced(dir.resolve("probe"));
            ChildJvm.Result r = ChildJvm.run(prefix, List.of(), "convert", NPY.resolve("vec_f4.npy").toString(),
                    out.toString());
            assertWriteRefused(r, out, "permission denied");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** A read-only file system (a read-only bind mount, in a private mount namespace). */
    @Test
    void aReadOnlyFileSystemIsExitFour() throws Exception {
        Assumptions.assumeTrue(ChildJvm.canUnshareMounts(), "needs root (or CAP_SYS_ADMIN) and unshare(1) for a"
                + " read-only bind mount; aReadOnlyDirectoryIsExitFour covers the permission case");
        Path dir = Files.createDirectory(tmp.resolve("rofs"));
        Path out = dir.resolve("out.npy");
        Files.writeString(out, "old");
        String java = ChildJvm.javaCommand(List.of()).stream().map(ChildJvm::quote).collect(Collectors.joining(" "));
        String script = "mount --bind " + dir + " " + dir + " && mount -o remount,ro,bind " + dir + " || exit 99\n"
                + "exec " + java + " convert " + NPY.resolve("vec_f4.npy") + " " + out + "\n";
        ChildJvm.Result r = ChildJvm.exec(List.of("unshare", "-m", "sh", "-c", script));
        assertWriteRefused(r, out, "read-only file system");
    }
}
