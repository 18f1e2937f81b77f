package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * What focal promises a user whose files are broken, hostile, huge, or whose run dies (issue 7),
 * tested through the command line: in-process where that shows it, in a child JVM where only a
 * real process can (SIGKILL, a full or read-only file system, a small heap, dropped privileges).
 * docs/guarantees.md lists the promises and points here.
 */
class ReliabilityCliTest {
    static final Path BAD = Path.of("src/test/resources/bad");
    static final Path NPY = Path.of("src/test/resources/io/npy");

    /** Every file of src/test/resources/bad is refused with exit 3 and this one line on stderr. */
    @Nested
    class BadCorpus {
        /** Argument of {@code focal inspect} (under bad/) and what stderr says after "focal: ". */
        final Map<String, String> expected = expectations();

        private Map<String, String> expectations() {
            Map<String, String> m = new LinkedHashMap<>();
            String numeric = "; focal reads bool, int8..int64, uint8..uint64 and float16/32/64";
            // .npy: truncated, wrong magic, unknown version, headers that are no dict or have
            // missing or extra keys, negative and overflowing shapes, unknown and object dtypes
            m.put("npy/empty.npy", "{}: empty file");
            m.put("npy/magic_only.npy", "{}: truncated: file ends inside the .npy header");
            m.put("npy/v2_cut_prefix.npy", "{}: truncated: file ends inside the .npy header");
            m.put("npy/truncated_header.npy", "{}: truncated: header declares 118 bytes, file has 30 after the prefix");
            m.put("npy/truncated_data.npy", "{}: truncated: header declares 48 data bytes, file has 43");
            m.put("npy/huge_shape.npy", "{}: truncated: header declares 80000000000 data bytes, file has 64");
            m.put("npy/wrong_magic.npy", "{}: not a .npy file (no \\x93NUMPY magic)");
            m.put("npy/version_4.npy", "{}: unsupported .npy format version 4.0 (numpy writes 1.0, 2.0 and 3.0)");
            m.put("npy/header_too_long.npy", "{}: header is 10106 bytes, over numpy's limit of 10000");
            m.put("npy/header_not_dict.npy", "{}: malformed .npy header: not a dict");
            m.put("npy/bad_syntax.npy", "{}: malformed .npy header: unexpected Flase at character 34");
            m.put("npy/missing_shape.npy", "{}: malformed .npy header: missing key 'shape'");
            m.put("npy/extra_key.npy", "{}: malformed .npy header: unexpected key 'x'");
            m.put("npy/newline_key.npy", "{}: malformed .npy header: unexpected key 'a\\nb'");
            m.put("npy/control_char_in_header.npy", "{}: malformed .npy header: unexpected '\\x8c' at character 49");
            m.put("npy/fortran_not_bool.npy", "{}: malformed .npy header: fortran_order is not True or False");
            m.put("npy/shape_not_integer.npy", "{}: malformed .npy header: shape holds a non-integer");
            m.put("npy/negative_shape.npy", "{}: malformed .npy header: negative dimension -1 in shape");
            m.put("npy/overflow_shape.npy",
                    "{}: malformed .npy header: shape (4611686018427387904, 4) has more than 2^63 elements");
            m.put("npy/bytes_overflow.npy", "{}: shape (2305843009213693952,) of float64 is over 2^63 bytes");
            m.put("npy/unknown_dtype.npy", "{}: unsupported dtype 'x' ('<x4')" + numeric);
            m.put("npy/escape_in_descr.npy", "{}: unsupported dtype '\\x1b' ('<\\x1b[2J')" + numeric);
            m.put("npy/object.npy", "{}: unsupported dtype object (pickled Python objects) ('|O')" + numeric);
            m.put("npy/complex64.npy", "{}: unsupported dtype complex64 ('<c8')" + numeric);
            m.put("npy/unicode.npy", "{}: unsupported dtype unicode string ('<U2')" + numeric);
            m.put("npy/datetime.npy", "{}: unsupported dtype datetime64 ('<M8[D]')" + numeric);
            m.put("npy/structured.npy",
                    "{}: unsupported dtype: structured array (descr [[x, <f4], [y, <i4]]); focal reads numeric arrays only");
            // JSON: ragged and broken
            m.put("json/ragged.json", "{}: at [1]: 1 element, expected 2");
            m.put("json/string_element.json", "{}: at [1]: \"2\" is not a number");
            m.put("json/too_deep.json", "{}: nested deeper than 64 levels");
            m.put("json/unclosed.json", "{}: invalid JSON at line 2, column 1: unexpected end-of-input");
            m.put("json/double_comma.json", "{}: invalid JSON at line 1, column 4: unexpected character (','");
            m.put("json/python_nan.json", "{}: invalid JSON at line 1, column 7: unrecognized token 'nan'");
            m.put("json/bundle_newline_key.json", "{}:a\\nb: a string is not an array");
            m.put("json/typed_unknown_dtype.json", "{}: unknown dtype 'complex64' (focal reads bool, int8..int64,"
                    + " uint8..uint64, float16, float32 and float64)");
            m.put("json/huge_exponent_uint64.json",
                    "{}: at [0]: 1841e30846744073709553230 is out of range for uint64 (0..18446744073709551615)");
            m.put("json/tiny_exponent_int8.json", "{}: at [1]: 1e-30846744073709553230 is not an integer (dtype int8)");
            m.put("json/typed_overflowing_shape.json",
                    "{}: \"shape\" [4294967296, 4294967296, 4294967296] has more than 2^63 elements");
            // .npz: truncated, a zip bomb, a bad CRC, a hostile member name, a key it does not hold
            m.put("npz/truncated.npz", "{}: not a zip archive, or truncated: no end-of-central-directory record");
            m.put("npz/ratio_bomb.npz", "{}: member zeros.npy: declares 4026531840 bytes from 106 compressed,"
                    + " more than deflate can produce (1032:1): corrupt, or a zip bomb");
            m.put("npz/bad_crc.npz",
                    "{}: member zeros.npy: CRC-32 mismatch (data 5f125742, directory 12345678): corrupt archive");
            m.put("npz/newline_member.npz", "{}:a\\nb: not a .npy file (no \\x93NUMPY magic)");
            m.put("npz/two_members.npz:missing", "{}: no array 'missing' (has: logits, targets)");
            // a directory instead of a file
            m.put("directory.npy", "{}: is a directory, expected a tensor file");
            return m;
        }

        @TestFactory
        Stream<DynamicTest> inspectRefusesEveryFileWithExitThreeAndOneLine() {
            return expected.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                String arg = BAD.resolve(e.getKey()).toString();
                String file = arg.replaceFirst(":missing$", "");
                Cli r = Cli.run("inspect", arg);
                assertEquals(3, r.code, r.toString());
                assertEquals("", r.out, r.toString());
                assertOneLine(r.err);
                String want = "focal: " + e.getValue().replace("{}", file);
                assertTrue(r.err.startsWith(want), "expected\n  " + want + "\ngot\n  " + r.err);
            }));
        }

        /** A new file in the corpus needs its expectation here: no untested hostile file. */
        @Test
        void everyFileOfTheCorpusIsExpected() throws IOException {
            Set<String> files = new TreeSet<>();
            try (Stream<Path> s = Files.walk(BAD)) {
                s.filter(Files::isRegularFile)
                        .map(p -> BAD.relativize(p).toString())
                        .filter(p -> !p.equals("make_bad.py") && !p.startsWith("directory.npy/"))
                        .forEach(files::add);
            }
            Set<String> listed = expected.keySet().stream().map(k -> k.replaceFirst(":.*$", ""))
                    .filter(k -> !k.equals("directory.npy")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(files, listed);
        }

        /** Bad files do not hide good ones: inspect reports each on its line and still prints the rest. */
        @Test
        void goodFilesAreStillShownBesideBadOnes() {
            Cli r = Cli.run("inspect", BAD.resolve("npy/truncated_data.npy").toString(),
                    NPY.resolve("vec_f4.npy").toString(), BAD.resolve("json/ragged.json").toString());
            assertEquals(3, r.code, r.toString());
            assertEquals(2, r.err.lines().count(), r.err);
            assertTrue(r.out.contains("vec_f4.npy"), r.out);
        }

        @Test
        void aFileWithoutReadPermission(@TempDir Path tmp) throws IOException, InterruptedException {
            Path file = tmp.resolve("secret.npy");
            Files.copy(NPY.resolve("vec_f4.npy"), file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
            List<String> prefix = Child.permissionsEnforced(file);
            Child.Result r = Child.run(prefix, List.of(), "inspect", file.toString());
            assertEquals(3, r.code, r.toString());
            assertEquals("focal: " + file + ": cannot read: permission denied\n", r.err);
        }
    }

    /** Outputs are replaced atomically: a run that dies or fails leaves the old file or the new one. */
    @Nested
    class NothingLost {
        @TempDir
        Path tmp;

        /**
         * Kills real {@code focal convert} runs (SIGKILL) at many moments, from JVM start to after
         * the rename: the target always holds the old content or the complete new file.
         */
        @Test
        void aKilledConvertLeavesTheOldFileOrTheCompleteNewOne() throws Exception {
            Path in = tmp.resolve("in.npy");
            writeF4(in, 12L << 20, i -> Float.floatToRawIntBits(i * 0.5f)); // 48 MiB
            Path ref = tmp.resolve("ref.npy");
            Cli done = Cli.run("convert", in.toString(), ref.toString());
            assertEquals(0, done.code, done.toString());
            Path dir = Files.createDirectory(tmp.resolve("out"));
            Path out = dir.resolve("out.npy");
            byte[] old = Files.readAllBytes(NPY.resolve("vec_f4.npy"));
            killRuns(dir, Map.of(out, new Expected(old, ref)), "convert", in.toString(), out.toString());
        }

        /** The same for eval, whose .npy loss is written in place by many threads, and its summary. */
        @Test
        void aKilledEvalLeavesTheOldFilesOrTheCompleteNewOnes() throws Exception {
            long n = 3L << 20; // under the vector kernel's threshold: the same kernel in every JVM
            Path logits = tmp.resolve("logits.npy");
            Path targets = tmp.resolve("targets.npy");
            writeF4(logits, n, i -> Float.floatToRawIntBits((i % 1000) / 100f - 5f));
            writeF4(targets, n, i -> Float.floatToRawIntBits(i % 97 == 0 ? 1f : 0f));
            Path refDir = Files.createDirectory(tmp.resolve("ref"));
            String[] refArgs = {"eval", "--logits", logits.toString(), "--targets", targets.toString(),
                "--out", refDir.resolve("loss.npy").toString(), "--stats", refDir.resolve("stats.json").toString()};
            Child.Result done = Child.run(List.of(), List.of(), refArgs);
            assertEquals(0, done.code, done.toString());
            Path dir = Files.createDirectory(tmp.resolve("out"));
            Path loss = dir.resolve("loss.npy");
            Path stats = dir.resolve("stats.json");
            byte[] old = "old content\n".getBytes(StandardCharsets.UTF_8);
            killRuns(dir, Map.of(loss, new Expected(old, refDir.resolve("loss.npy")),
                    stats, new Expected(old, refDir.resolve("stats.json"))),
                    "eval", "--logits", logits.toString(), "--targets", targets.toString(),
                    "--out", loss.toString(), "--stats", stats.toString());
        }

        /** What a target may hold after a kill: its old bytes, or exactly the reference file. */
        private final class Expected {
            final byte[] old;
            final Path complete;

            Expected(byte[] old, Path complete) {
                this.old = old;
                this.complete = complete;
            }
        }

        private void killRuns(Path dir, Map<Path, Expected> targets, String... args) throws Exception {
            long full = 0;
            for (Expected e : targets.values()) {
                full = Math.max(full, Files.size(e.complete));
            }
            // When to kill: a time after the start (from JVM start-up to after the rename), or a
            // state of the temporary file (created, half written, fully written before the rename).
            Map<String, java.util.function.BiPredicate<Long, Long>> triggers = new LinkedHashMap<>();
            for (long ms : new long[] {0, 200, 400, 600, 900, 1300, 2000}) {
                triggers.put("at " + ms + " ms", (elapsed, temp) -> elapsed >= ms);
            }
            long half = full / 2;
            long whole = full;
            triggers.put("once a temporary file exists", (elapsed, temp) -> temp >= 0);
            triggers.put("once a temporary file is half written", (elapsed, temp) -> temp >= half);
            triggers.put("once a temporary file is fully written", (elapsed, temp) -> temp >= whole);
            int midWrite = 0;
            int litter = 0;
            Map<String, Integer> outcomes = new LinkedHashMap<>();
            for (Map.Entry<String, java.util.function.BiPredicate<Long, Long>> trigger : triggers.entrySet()) {
                for (Map.Entry<Path, Expected> t : targets.entrySet()) {
                    Files.write(t.getKey(), t.getValue().old);
                }
                Process p = Child.start(List.of(), List.of(), args);
                long start = System.nanoTime();
                long temp = -1;
                long elapsed = 0;
                while (p.isAlive() && elapsed < 120_000) {
                    temp = largestTemporary(dir, targets.keySet());
                    elapsed = (System.nanoTime() - start) / 1_000_000;
                    if (trigger.getValue().test(elapsed, temp)) {
                        break;
                    }
                }
                boolean killed = p.isAlive();
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed run ends");
                if (killed && temp >= 0) {
                    midWrite++;
                }
                for (Map.Entry<Path, Expected> t : targets.entrySet()) {
                    String what = outcome(t.getKey(), t.getValue());
                    outcomes.merge(t.getKey().getFileName() + " " + what + (killed ? "" : " (run had ended)"), 1,
                            Integer::sum);
                    assertFalse(what.startsWith("PARTIAL"), "killed " + trigger.getKey() + ": " + t.getKey()
                            + " is " + what);
                }
                // A SIGKILL leaves the temporary file (hidden, beside the target), and between the
                // two renames of a commit the old target set aside: the promise is about the
                // target's content. Clear them for the next run.
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path f : s.filter(f -> !targets.containsKey(f)).collect(Collectors.toList())) {
                        assertTrue(f.getFileName().toString().matches("\\..*\\.focal-[0-9a-f]+\\.(tmp|old)"), f.toString());
                        Files.delete(f);
                        litter++;
                    }
                }
            }
            System.out.println("killed runs of focal " + args[0] + ": " + outcomes + "; " + midWrite
                    + " killed while a temporary file was being written; removed the " + litter
                    + " temporary files that the kills left beside the targets");
            assertTrue(midWrite >= 2, "kills must land while the output is being written: " + outcomes);
        }

        /** SIGTERM (and Ctrl-C) is not SIGKILL: the run removes its temporary file on the way out. */
        @Test
        void aTerminatedRunLeavesTheOldFileAndNoTemporaryFile() throws Exception {
            Path in = tmp.resolve("in.npy");
            writeF4(in, 12L << 20, i -> i % 3 == 0 ? Float.floatToRawIntBits(1f) : 0);
            Path dir = Files.createDirectory(tmp.resolve("out"));
            Path out = dir.resolve("out.npy");
            for (String[] args : List.of(new String[] {"convert", in.toString(), out.toString()},
                    new String[] {"eval", "--logits", in.toString(), "--targets", in.toString(), "--out", out.toString()})) {
                Files.writeString(out, "old");
                Process p = Child.start(List.of(), List.of(), args);
                long start = System.nanoTime();
                while (p.isAlive() && largestTemporary(dir, Set.of(out)) < 0
                        && System.nanoTime() - start < 60_000_000_000L) {
                    Thread.onSpinWait();
                }
                Assumptions.assumeTrue(p.isAlive(), "the run ended before it could be stopped");
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run ends on SIGTERM");
                assertEquals(143, p.exitValue(), "killed by SIGTERM, after the shutdown hooks ran");
                assertEquals("old", Files.readString(out), args[0]);
                assertEquals(List.of(out), list(dir), args[0] + ": no temporary file is left");
            }
        }

        /** The size of the biggest temporary file beside the targets, or -1 when there is none. */
        private long largestTemporary(Path dir, Set<Path> targets) {
            long size = -1;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.filter(f -> !targets.contains(f)).collect(Collectors.toList())) {
                    try {
                        size = Math.max(size, Files.size(f));
                    } catch (IOException gone) {
                        // renamed or deleted between the listing and the look
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return size;
        }

        private String outcome(Path target, Expected e) throws IOException {
            if (!Files.exists(target)) {
                // A big output replaces its target by renaming the old file aside first
                // (AtomicFile.Pending.commit): a kill between the two renames keeps it there.
                Path aside;
                try (Stream<Path> s = Files.list(target.getParent())) {
                    aside = s.filter(f -> f.getFileName().toString().matches(
                            Pattern.quote("." + target.getFileName() + ".focal-") + "[0-9a-f]+\\.old"))
                            .findFirst().orElse(null);
                }
                return aside != null && Arrays.equals(Files.readAllBytes(aside), e.old)
                        ? "old, set aside" : "PARTIAL: missing";
            }
            long size = Files.size(target);
            if (size == e.old.length && Arrays.equals(Files.readAllBytes(target), e.old)) {
                return "old";
            }
            if (size == Files.size(e.complete) && Files.mismatch(target, e.complete) == -1) {
                return "new";
            }
            return "PARTIAL: " + size + " bytes, neither the old " + e.old.length + " nor the new "
                    + Files.size(e.complete);
        }

        /** A full file system: exit 4, one line, the old file intact, no temporary file left. */
        @Test
        void aFullDiskIsExitFourAndLeavesNoLitter() throws Exception {
            Assumptions.assumeTrue(Child.canUnshareMounts(), "needs root (or CAP_SYS_ADMIN) and unshare(1) to mount"
                    + " a 1 MiB tmpfs in a private mount namespace; the ulimit test below covers the same path");
            Path in = tmp.resolve("in.npy");
            writeF4(in, 1L << 20, i -> 0);
            Path dir = Files.createDirectory(tmp.resolve("full"));
            String java = Child.javaCommand(List.of()).stream().map(Child::quote).collect(Collectors.joining(" "));
            String script = "mount -t tmpfs -o size=1m focal-full " + dir + " || exit 99\n"
                    + "printf old > " + dir + "/out.npy\n"
                    + "printf old > " + dir + "/loss.npy\n"
                    + java + " convert " + in + " " + dir + "/out.npy; echo \"convert=$?\"\n"
                    + java + " eval --logits " + in + " --targets " + in + " --out " + dir + "/loss.npy"
                    + " --stats " + dir + "/stats.json >/dev/null; echo \"eval=$?\"\n"
                    + "ls -A " + dir + "; cat " + dir + "/out.npy " + dir + "/loss.npy\n";
            Child.Result r = Child.exec(List.of("unshare", "-m", "sh", "-c", script));
            assertEquals(0, r.code, r.toString());
            assertEquals(List.of("convert=4", "eval=4", "loss.npy", "out.npy", "oldold"), r.out.lines()
                    .collect(Collectors.toList()), r.toString());
            assertEquals(List.of("focal: " + dir + "/out.npy: cannot write: no space left on device",
                    "focal: " + dir + "/loss.npy: cannot write: no space left on device"),
                    r.err.lines().filter(l -> l.startsWith("focal:")).collect(Collectors.toList()), r.toString());
        }

        /** Exit 4 with one line naming the output and the problem, the old file intact, nothing else left beside it. */
        private void assertWriteRefused(Child.Result r, Path out, String problem) throws IOException {
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
            String java = Child.javaCommand(List.of()).stream().map(Child::quote).collect(Collectors.joining(" "));
            // 1024 blocks of 512 (POSIX sh) or 1024 bytes: well under the 4 MiB output
            Child.Result r = Child.exec(List.of("sh", "-c", "ulimit -f 1024 && exec " + java + " convert " + in + " " + out));
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
                List<String> prefix = Child.permissionsEnforced(dir.resolve("probe"));
                Child.Result r = Child.run(prefix, List.of(), "convert", NPY.resolve("vec_f4.npy").toString(),
                        out.toString());
                assertWriteRefused(r, out, "permission denied");
            } finally {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        /** A read-only file system (a read-only bind mount, in a private mount namespace). */
        @Test
        void aReadOnlyFileSystemIsExitFour() throws Exception {
            Assumptions.assumeTrue(Child.canUnshareMounts(), "needs root (or CAP_SYS_ADMIN) and unshare(1) for a"
                    + " read-only bind mount; aReadOnlyDirectoryIsExitFour covers the permission case");
            Path dir = Files.createDirectory(tmp.resolve("rofs"));
            Path out = dir.resolve("out.npy");
            Files.writeString(out, "old");
            String java = Child.javaCommand(List.of()).stream().map(Child::quote).collect(Collectors.joining(" "));
            String script = "mount --bind " + dir + " " + dir + " && mount -o remount,ro,bind " + dir + " || exit 99\n"
                    + "exec " + java + " convert " + NPY.resolve("vec_f4.npy") + " " + out + "\n";
            Child.Result r = Child.exec(List.of("unshare", "-m", "sh", "-c", script));
            assertWriteRefused(r, out, "read-only file system");
        }

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

        private List<Path> list(Path dir) throws IOException {
            try (Stream<Path> s = Files.list(dir)) {
                return s.sorted().collect(Collectors.toList());
            }
        }
    }

    /** The same inputs and flags give byte-identical outputs and summaries: across runs, threads, processes. */
    @Nested
    class Determinism {
        @TempDir
        Path tmp;

        @Test
        void evalOutputsAreIdenticalAcrossRunsThreadsAndProcesses() throws Exception {
            // 3 x 50000 x 3 = 450000 elements: several ranges, so the threads really share the work
            long b = 3;
            long a = 50_000;
            long c = 3;
            Path logits = tmp.resolve("logits.npy");
            Path targets = tmp.resolve("targets.npy");
            Path weights = tmp.resolve("weights.npy");
            java.util.Random rnd = new java.util.Random(7);
            float[] x = new float[(int) (b * a * c)];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 4999 == 0 ? Float.NaN : (float) (rnd.nextGaussian() * 3 - 4);
            }
            writeF4(logits, x.length, i -> Float.floatToRawIntBits(x[(int) i]), b, a, c);
            writeF4(targets, x.length, i -> Float.floatToRawIntBits(i % 211 == 0 ? 1f : 0f), b, a, c);
            writeF4(weights, b * a, i -> Float.floatToRawIntBits(i % 17 == 0 ? 0f : 1f), b, a);
            Map<String, byte[]> first = null;
            String firstWhere = null;
            // label, --threads, JVM flag of a child JVM ("" to run in-process), its environment. The
            // interpreter and C1 compute NaN with other signs than C2 or vector code: the outputs
            // must not show it. Neither may the kernel forced for every block (the vector kernel
            // interpreted at first, or its scalar twin), nor forcing the outputs to disk.
            String[][] runs = {{"in-process", "1", "", ""}, {"in-process again", "1", "", ""},
                {"in-process", "2", "", ""}, {"in-process", "5", "", ""}, {"child JVM", "1", "-Xint", ""},
                {"child JVM", "3", "-XX:TieredStopAtLevel=1", ""},
                {"child JVM", "2", "--add-modules=jdk.incubator.vector", "FOCAL_KERNEL=vector"},
                {"child JVM", "2", "-XX:TieredStopAtLevel=1", "FOCAL_KERNEL=polynomial FOCAL_FSYNC=1"}};
            for (String[] run : runs) {
                String where = run[0] + " " + run[3] + " " + run[2] + " --threads " + run[1];
                Path dir = Files.createDirectory(tmp.resolve(where.replaceAll("[^A-Za-z0-9]+", "_")));
                List<String> common = new ArrayList<>(List.of("eval", "--logits", logits.toString(),
                        "--targets", targets.toString(), "--weights", weights.toString(), "--threads", run[1],
                        "--top", "7", "--class-names", "Car,Pedestrian,Cyclist",
                        "--out", dir.resolve("loss.npy").toString(), "--grad-out", dir.resolve("grad.npy").toString(),
                        "--stats", dir.resolve("stats.json").toString()));
                Map<String, byte[]> got = new LinkedHashMap<>();
                for (boolean json : run[2].isEmpty() ? new boolean[] {false, true} : new boolean[] {true}) {
                    List<String> args = new ArrayList<>(common);
                    if (json) {
                        args.add("--json");
                    }
                    String out;
                    if (!run[2].isEmpty()) {
                        List<String> env = new ArrayList<>(List.of("env"));
                        env.addAll(Arrays.asList(run[3].split(" ")));
                        Child.Result r = Child.run(run[3].isEmpty() ? List.of() : env, List.of(run[2]),
                                args.toArray(new String[0]));
                        assertEquals(0, r.code, r.toString());
                        out = r.out;
                    } else {
                        Cli r = Cli.run(args.toArray(new String[0]));
                        assertEquals(0, r.code, r.toString());
                        out = r.out;
                    }
                    got.put(json ? "stdout --json" : "stdout table", out.replace(dir.toString(), "DIR")
                            .getBytes(StandardCharsets.UTF_8));
                }
                got.put("loss.npy", Files.readAllBytes(dir.resolve("loss.npy")));
                got.put("grad.npy", Files.readAllBytes(dir.resolve("grad.npy")));
                got.put("stats.json", Files.readString(dir.resolve("stats.json")).replace(dir.toString(), "DIR")
                        .getBytes(StandardCharsets.UTF_8));
                if (first == null) {
                    first = got;
                    firstWhere = where;
                    continue;
                }
                for (String k : got.keySet()) {
                    assertArrayEquals(first.get(k), got.get(k), k + ": " + where + " differs from " + firstWhere);
                }
            }
        }

        @Test
        void convertAndInspectAreIdenticalAcrossRuns() throws IOException {
            for (String name : List.of("f_big_endian_f8.npy", "f_float16.npy", "be_uint64.npy", "scalar_bool.npy")) {
                String in = NPY.resolve(name).toString();
                byte[] npy = null;
                byte[] json = null;
                String table = null;
                for (int run = 0; run < 2; run++) {
                    Path outNpy = tmp.resolve(run + name);
                    Path outJson = tmp.resolve(run + name + ".json");
                    assertEquals(0, Cli.run("convert", in, outNpy.toString()).code);
                    assertEquals(0, Cli.run("convert", in, outJson.toString()).code);
                    Cli i = Cli.run("inspect", "--json", in, outNpy.toString().replace(run + name, "0" + name));
                    assertEquals(0, i.code, i.toString());
                    if (run == 0) {
                        npy = Files.readAllBytes(outNpy);
                        json = Files.readAllBytes(outJson);
                        table = i.out;
                    } else {
                        assertArrayEquals(npy, Files.readAllBytes(outNpy), name);
                        assertArrayEquals(json, Files.readAllBytes(outJson), name);
                        assertEquals(table, i.out, name);
                    }
                }
            }
        }
    }

    /** Inputs over 2 GiB, on a small heap, without writing gigabytes: sparse files. */
    @Nested
    class Huge {
        @TempDir
        Path tmp;

        /** The bar: an input over 2 GiB evaluates with a 256 MiB heap (all zeros: the loss is known). */
        @Test
        void anInputOverTwoGibibytesEvaluatesWithA256MiBHeap() throws Exception {
            long n = (1L << 28) + 8; // float64: 2 GiB + 64 bytes of data
            Path file = tmp.resolve("zeros.npy");
            byte[] header = header("<f8", n);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.write(header);
                raf.setLength(header.length + 8 * n);
            }
            assertTrue(Files.size(file) > (2L << 30));
            Child.Result r = Child.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", file.toString(),
                    "--targets", file.toString(), "--json");
            assertEquals(0, r.code, r.toString());
            com.fasterxml.jackson.databind.JsonNode s = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                    .readTree(r.out);
            assertEquals(n, s.get("anchors").get("total").asLong(), r.out);
            // x = 0, t = 0: (1 - alpha) * 0.5^gamma * log(2) for every element
            double each = 0.75 * 0.25 * Math.log(2);
            assertEquals(each, s.get("loss").get("mean").asDouble(), each * 1e-12, r.out);
            assertEquals(each * n, s.get("loss").get("sum").asDouble(), each * n * 1e-12, r.out);
        }

        /**
         * Labels mode streams too: 200M elements of zero logits and int32 labels, mostly background,
         * with positives and ignored anchors at known places, evaluate with a 256 MiB heap (the
         * derived targets and weights alone would take 1 GB). At x = 0 every element's loss is
         * a * 0.5^2 * log(2) * w, so a sample's sum is 0.25 log(2) w (1.75 P + 2.25 N) for P
         * positive and N negative anchors, w being 1 / max(P, 1) in float32.
         */
        @Test
        void labelsModeOnTwoHundredMillionElementsEvaluatesWithA256MiBHeap() throws Exception {
            LabelledHead head = new LabelledHead(tmp);
            Child.Result r = Child.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", head.logits.toString(),
                    "--labels", head.labels.toString(), "--num-classes", "3", "--json");
            assertEquals(0, r.code, r.toString());
            com.fasterxml.jackson.databind.JsonNode s = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                    .readTree(r.out);
            long anchors = LabelledHead.SAMPLES * LabelledHead.ANCHORS;
            long positives = head.positives[0] + head.positives[1];
            long ignored = head.ignored[0] + head.ignored[1];
            assertEquals(anchors, s.get("anchors").get("total").asLong(), r.out);
            assertEquals(positives, s.get("anchors").get("positive").asLong(), r.out);
            assertEquals(ignored, s.get("anchors").get("ignored").asLong(), r.out);
            assertEquals(anchors - positives - ignored, s.get("anchors").get("negative").asLong(), r.out);
            double sum = 0;
            for (int b = 0; b < LabelledHead.SAMPLES; b++) {
                com.fasterxml.jackson.databind.JsonNode sample = s.get("per_sample").get(b);
                long negatives = LabelledHead.ANCHORS - head.positives[b] - head.ignored[b];
                assertEquals(head.positives[b], sample.get("positives").asLong(), r.out);
                assertEquals(negatives, sample.get("negatives").asLong(), r.out);
                assertEquals(head.ignored[b], sample.get("ignored").asLong(), r.out);
                assertEquals(Math.max(head.positives[b], 1), sample.get("normalizer").asDouble(), r.out);
                double loss = 0.25 * Math.log(2) * head.weight(b) * (1.75 * head.positives[b] + 2.25 * negatives);
                assertEquals(loss, sample.get("loss_sum").asDouble(), loss * 1e-12, r.out);
                sum += loss;
            }
            assertEquals(sum, s.get("loss").get("sum").asDouble(), sum * 1e-12, r.out);
            double mean = sum / (anchors * LabelledHead.CLASSES);
            assertEquals(mean, s.get("loss").get("mean").asDouble(), mean * 1e-12, r.out);
            for (int c = 0; c < LabelledHead.CLASSES; c++) {
                assertEquals(head.classPositives[c], s.get("per_class").get(c).get("positives").asLong(), r.out);
            }
        }

        /** --write-weights to .npy goes straight to disk: 267 MB of weights written with a 256 MiB heap. */
        @Test
        void labelsModeWritesItsWeightsToNpyWithA256MiBHeap() throws Exception {
            LabelledHead head = new LabelledHead(tmp);
            Path weights = tmp.resolve("weights.npy");
            Child.Result r = Child.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", head.logits.toString(),
                    "--labels", head.labels.toString(), "--num-classes", "3", "--write-weights", weights.toString());
            assertEquals(0, r.code, r.toString());
            byte[] header = header("<f4", LabelledHead.SAMPLES, LabelledHead.ANCHORS);
            try (FileChannel ch = FileChannel.open(weights)) {
                assertEquals(header.length + 4 * LabelledHead.SAMPLES * LabelledHead.ANCHORS, ch.size());
                ByteBuffer h = ByteBuffer.allocate(header.length);
                ch.read(h, 0);
                assertArrayEquals(header, h.array());
                // Each sample's weights: 1 / max(P, 1) for its positive and negative anchors, 0 for the ignored.
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                long at = header.length;
                for (int b = 0; b < LabelledHead.SAMPLES; b++) {
                    long cared = 0;
                    long zeros = 0;
                    for (long left = LabelledHead.ANCHORS; left > 0; ) {
                        buf.clear().limit((int) Math.min(buf.capacity(), 4 * left));
                        while (buf.hasRemaining()) {
                            at += ch.read(buf, at);
                        }
                        buf.flip();
                        while (buf.hasRemaining()) {
                            float w = buf.getFloat();
                            cared += w == head.weight(b) ? 1 : 0;
                            zeros += Float.floatToRawIntBits(w) == 0 ? 1 : 0;
                            left--;
                        }
                    }
                    assertEquals(LabelledHead.ANCHORS - head.ignored[b], cared, "sample " + b);
                    assertEquals(head.ignored[b], zeros, "sample " + b);
                }
            }
        }

        /** A JSON output is built on the heap: one the heap cannot hold is exit 4 with advice, nothing written. */
        @Test
        void aJsonOutputTooBigForTheHeapIsRefusedWithAdvice() throws Exception {
            Path logits = tmp.resolve("logits.npy");
            Path labels = tmp.resolve("labels.npy");
            long anchors = 8_000_000; // targets 96 MB as float32, over the whole heap
            sparse(logits, header("<f4", 1, anchors, 3), 12 * anchors);
            sparse(labels, header("<i4", 1, anchors), 4 * anchors);
            Path targets = tmp.resolve("targets.json");
            Child.Result r = Child.run(List.of(), List.of("-Xmx64m"), "eval", "--logits", logits.toString(),
                    "--labels", labels.toString(), "--num-classes", "3", "--write-targets", targets.toString());
            assertEquals(4, r.code, r.toString());
            assertOneLine(r.err);
            assertTrue(r.err.startsWith("focal: " + targets + ": 24000000 values are too many for a JSON output"),
                    r.err);
            assertTrue(r.err.contains("name it .npy") && r.err.contains("JAVA_OPTS=-Xmx8g"), r.err);
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(Set.of(logits, labels), left.collect(Collectors.toSet()));
            }
        }

        /** Running out of heap anywhere is the input's size, not a bug: exit 3 with advice, not 70. */
        @Test
        void runningOutOfMemoryIsAnInputErrorWithAdvice() throws Exception {
            // --top keeps K elements in each range's heap of candidates: 10^8 of them do not fit 64 MiB.
            Child.Result r = Child.run(List.of(), List.of("-Xmx64m"), "eval", "samples/anchor_head.npz",
                    "--top", "100000000");
            assertEquals(3, r.code, r.toString());
            assertOneLine(r.err);
            assertTrue(r.err.startsWith("focal: out of memory: this run needs more than the JVM's "), r.err);
            assertTrue(r.err.contains("JAVA_OPTS=-Xmx8g") && r.err.contains(".npy"), r.err);
        }

        /** JSON is read onto the heap: a document the heap cannot hold is refused before it is, with exit 3. */
        @Test
        void aJsonTensorTooBigForTheHeapIsRefusedBeforeAllocating() throws Exception {
            Path file = tmp.resolve("big.json");
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write('[');
                byte[] zeros = "0, ".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 48; i++) { // 3 Mi values, 9 MiB of text
                    out.write(zeros);
                }
                out.write("0]\n".getBytes(StandardCharsets.US_ASCII));
            }
            Child.Result r = Child.run(List.of(), List.of("-Xmx64m"), "inspect", file.toString());
            assertEquals(3, r.code, r.toString());
            assertOneLine(r.err);
            assertTrue(r.err.startsWith("focal: " + file + ": holds over 2097152 values; reading more from JSON"
                    + " needs over 64 MiB of heap, more than the "), r.err);
            assertTrue(r.err.contains("convert the file to .npy"), r.err);
        }
    }

    static void assertOneLine(String err) {
        assertTrue(err.endsWith("\n"), err);
        String line = err.substring(0, err.length() - 1);
        for (char ch : line.toCharArray()) {
            assertFalse(Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029',
                    String.format("U+%04X in %s", (int) ch, err));
        }
    }

    /** A .npy file of {@code dataBytes} zero bytes after its header, sparse: no disk blocks for the zeros. */
    static void sparse(Path file, byte[] header, long dataBytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + dataBytes);
        }
    }

    /**
     * An anchor head of 200M elements in sparse files: float32 logits (B, A, C) all zero, and int32
     * labels (B, A), background but for positives and ignored anchors written at known places.
     */
    static final class LabelledHead {
        static final int SAMPLES = 2;
        static final long ANCHORS = 33_333_334;
        static final int CLASSES = 3;
        final Path logits;
        final Path labels;
        final long[] positives = {1000, 3};
        final long[] ignored = {500, 7};
        final long[] classPositives = new long[CLASSES];

        LabelledHead(Path dir) throws IOException {
            logits = dir.resolve("logits.npy");
            labels = dir.resolve("labels.npy");
            sparse(logits, header("<f4", SAMPLES, ANCHORS, CLASSES), 4L * SAMPLES * ANCHORS * CLASSES);
            byte[] header = header("<i4", SAMPLES, ANCHORS);
            sparse(labels, header, 4L * SAMPLES * ANCHORS);
            try (FileChannel ch = FileChannel.open(labels, StandardOpenOption.WRITE)) {
                for (int b = 0; b < SAMPLES; b++) {
                    // Spread over the sample, 30,001 anchors apart; the ignored ones next to them.
                    for (int k = 0; k < positives[b]; k++) {
                        int label = b == 0 ? 1 + k % CLASSES : CLASSES;
                        classPositives[label - 1]++;
                        put(ch, header.length, b * ANCHORS + 30_001L * k, label);
                    }
                    for (int k = 0; k < ignored[b]; k++) {
                        put(ch, header.length, b * ANCHORS + 30_001L * k + 1, -1);
                    }
                }
            }
        }

        private static void put(FileChannel ch, int headerBytes, long anchor, int label) throws IOException {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, label), headerBytes + 4 * anchor);
        }

        /** A cared anchor's weight in sample b: the head divides 1 by max(P, 1) in float32. */
        float weight(int b) {
            return 1f / Math.max(positives[b], 1);
        }
    }

    /** numpy's version 1.0 header for a C-order 1-D array (padded to 64 bytes, as numpy.save writes it). */
    static byte[] header(String descr, long... shape) {
        String dims = shape.length == 1 ? "(" + shape[0] + ",)"
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }");
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    interface Bits {
        int at(long index);
    }

    /** A float32 .npy of {@code n} elements (1-D unless a shape is given), streamed to disk. */
    static void writeF4(Path file, long n, Bits bits, long... shape) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(header("<f4", shape.length == 0 ? new long[] {n} : shape)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                buf.putInt(bits.at(i));
                if (!buf.hasRemaining()) {
                    ch.write(buf.flip());
                    buf.clear();
                }
            }
            ch.write(buf.flip());
        }
    }

    /** focal in a child JVM, on the test class path, for what only a real process shows. */
    static final class Child {
        static final Duration TIMEOUT = Duration.ofMinutes(3);

        static final class Result {
            final int code;
            final String out;
            final String err;

            Result(int code, String out, String err) {
                this.code = code;
                this.out = out;
                this.err = err;
            }

            @Override
            public String toString() {
                return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
            }
        }

        static List<String> javaCommand(List<String> jvmArgs) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            return cmd;
        }

        static Process start(List<String> prefix, List<String> jvmArgs, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(javaCommand(jvmArgs));
            cmd.addAll(List.of(args));
            return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        }

        static Result run(List<String> prefix, List<String> jvmArgs, String... args) throws IOException,
                InterruptedException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(javaCommand(jvmArgs));
            cmd.addAll(List.of(args));
            return exec(cmd);
        }

        static Result exec(List<String> cmd) throws IOException, InterruptedException {
            Path out = Files.createTempFile("focal-child-", ".out");
            Path err = Files.createTempFile("focal-child-", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("timed out after " + TIMEOUT + ": " + cmd);
                }
                // The JVM's own notices (JAVA_TOOL_OPTIONS) are not focal's output.
                String e = Files.readString(err).lines().filter(l -> !l.startsWith("Picked up "))
                        .map(l -> l + "\n").collect(Collectors.joining());
                return new Result(p.exitValue(), Files.readString(out), e);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        static String quote(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }

        /**
         * A command prefix under which a child respects file permissions. Nothing for a normal
         * user; root ignores permission bits (CAP_DAC_OVERRIDE), so for root it is setpriv(1)
         * dropping the capabilities that bypass them. The test is skipped, saying why, when
         * neither works. {@code probe} is a path the child must not be able to use.
         */
        static List<String> permissionsEnforced(Path probe) throws IOException, InterruptedException {
            Path unreadable = Files.createTempFile("focal-probe-", "");
            try {
                Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
                if (!Files.isReadable(unreadable)) {
                    return List.of();
                }
                List<String> setpriv = List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search");
                boolean works;
                try {
                    List<String> cmd = new ArrayList<>(setpriv);
                    cmd.addAll(List.of("cat", unreadable.toString()));
                    Result r = exec(cmd);
                    works = r.code != 0 && r.err.contains("Permission denied");
                } catch (IOException e) {
                    works = false;
                }
                Assumptions.assumeTrue(works, "running as root, which reads and writes whatever the permission bits"
                        + " say, and setpriv(1) cannot drop CAP_DAC_OVERRIDE here: cannot make " + probe
                        + " inaccessible");
                return setpriv;
            } finally {
                Files.deleteIfExists(unreadable);
            }
        }

        /** Whether {@code unshare -m} can give a child a private mount namespace to mount in. */
        static boolean canUnshareMounts() {
            try {
                return exec(List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k focal-probe /mnt"))
                        .code == 0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }
    }
}
