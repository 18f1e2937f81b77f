package dev.focal.fuzz;

import dev.focal.FocalException;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.stats.TensorSummary;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The property every fuzz target checks: whatever the bytes, reading them as a tensor file gives
 * tensors (whose every value can be read), or a {@link FocalException} with exit code 3 and a
 * one-line, printable message that starts with the file's name. Any other exception, an error
 * (OutOfMemoryError, StackOverflowError) or a hang is a finding.
 */
final class FuzzHarness {
    /** Where inputs are written: tmpfs when there is one, so the fuzzer is not bound by the disk. */
    private static final Path DIR = workDir();

    private FuzzHarness() {
    }

    private static Path workDir() {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Path dir = Files.createTempDirectory(base, "focal-fuzz-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // best effort
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Outside fuzzing, Jazzer's hooks (its sanitizers and the instrumentation that feeds them)
     * only cost time: about 12 s and a screenful of INFO lines for the seeds of the normal suite.
     * Called from each fuzz class's {@code @BeforeAll}, which runs before Jazzer reads its options.
     */
    static void regressionModeWithoutHooks() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        if ((fuzz == null || fuzz.isEmpty()) && System.getProperty("jazzer.hooks") == null) {
            System.setProperty("jazzer.hooks", "false");
        }
    }

    /** Writes {@code data} to a file named with {@code extension} and reads it as the CLI does. */
    static void check(byte[] data, String extension) {
        Path file = DIR.resolve("input" + extension);
        try {
            // A new file each time: the last input's tensors may still map the old one.
            Files.deleteIfExists(file);
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        read(file.toString());
    }

    /** Opens {@code name} and reads every array in it, checking each failure. */
    static void read(String name) {
        try (TensorFile f = TensorIO.open(name)) {
            List<String> keys = f.keys();
            if (keys.isEmpty()) {
                consume(f.get(null));
                return;
            }
            for (String key : keys) {
                try {
                    consume(f.get(key));
                } catch (FocalException e) {
                    // One bad member spoils only itself: check it and go on to the next.
                    checkFailure(name, e);
                }
            }
            if (keys.size() == 1) {
                consume(f.get(null));
            }
        } catch (FocalException e) {
            checkFailure(name, e);
        }
    }

    /** Touches every value, as inspect does: a lazily mapped array fails here if it is going to. */
    private static void consume(Tensor t) {
        TensorSummary s = TensorSummary.of(t);
        if (s.count != t.count() || t.count() != t.shape().count()) {
            throw new AssertionError("summary counts " + s.count + " of " + t.count() + " elements, shape "
                    + t.shape());
        }
    }

    static void checkFailure(String name, FocalException e) {
        String m = e.getMessage();
        if (e.exitCode() != FocalException.INPUT) {
            throw new AssertionError("exit code " + e.exitCode() + ", expected 3: " + m, e);
        }
        if (m == null || !m.startsWith(name + ":")) {
            throw new AssertionError("message does not start with the file name: " + m, e);
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new AssertionError(String.format("message holds character U+%04X at %d; it must be one"
                        + " printable line: %s", (int) c, i, m.replaceAll("\\p{Cntrl}", "?")), e);
            }
        }
    }

    /** One dynamic test per seed file: the seed corpus, run with the normal suite. */
    static Stream<DynamicTest> seeds(String target, String extension) throws IOException {
        Path dir = Path.of("src/test/resources/fuzz", target);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new AssertionError("no seeds in " + dir);
        }
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(),
                () -> check(Files.readAllBytes(p), extension)));
    }
}
