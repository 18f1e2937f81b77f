package dev.focal.cli;

import static dev.focal.cli.NpyFiles.NPY;
import static dev.focal.cli.NpyFiles.writeF4;
import static dev.focal.cli.RunOutcome.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: nothing is lost (docs/guarantees.md). Outputs are replaced atomically: a run that
 * is killed or stopped leaves the old file or the complete new one. Real processes, killed.
 */
@Tag("process")
class NothingLostTest {
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
        ChildJvm.Result done = ChildJvm.run(List.of(), List.of(), refArgs);
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
            Process p = ChildJvm.start(List.of(), List.of(), args);
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
            Process p = ChildJvm.start(List.of(), List.of(), args);
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
}
