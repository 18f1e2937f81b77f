package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.io.StandardOutput;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write to standard output that fails is exit 4 with one line, for every verb; a reader that
 * closed the pipe is not (issue 19). In-process over a stream that fails, and in a child JVM
 * writing to /dev/full and to a pipe closed by its reader.
 */
class StandardOutputTest {
    private static final String NPZ = "samples/anchor_head.npz";
    private static final String JSON = "samples/tiny.json";
    /** A run of each verb that prints to stdout, and the help and version texts. */
    private static final List<List<String>> PRINTING = List.of(
            List.of("eval", NPZ), List.of("eval", NPZ, "--json"), List.of("compare", JSON + ":logits", JSON + ":logits"),
            List.of("inspect", JSON), List.of("convert", "--help"), List.of("--help"), List.of("--version"));

    @TempDir
    Path tmp;

    /** A stream that fails every write the way {@code write(2)} does, counting the tries. */
    private static final class Failing extends OutputStream {
        final String message;
        int tries;

        Failing(String message) {
            this.message = message;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            tries++;
            throw new IOException(message);
        }
    }

    /** An in-process run's exit code and stderr. */
    private static final class Run {
        final int code;
        final String err;

        Run(OutputStream stdout, List<String> args) {
            StringWriter e = new StringWriter();
            code = Main.run(args.toArray(new String[0]), new StandardOutput(stdout), new PrintWriter(e));
            err = e.toString();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stderr\n" + err;
        }
    }

    @Test
    void aFailedWriteIsExitFourWithOneLineForEveryVerb() {
        for (List<String> args : PRINTING) {
            Failing full = new Failing("No space left on device");
            Run r = new Run(full, args);
            assertEquals(4, r.code, args + "\n" + r);
            assertEquals("focal: standard output: cannot write: no space left on device\n", r.err, args.toString());
            assertEquals(1, full.tries, args + ": nothing more is written after a failure");
        }
    }

    /** The one line is the run's failure, not the output's: stdout was lost because the run failed. */
    @Test
    void aRunThatFailedKeepsItsExitCodeAndItsLine() {
        Run r = new Run(new Failing("No space left on device"), List.of("inspect", JSON, "missing.npy"));
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: missing.npy: no such file\n", r.err);
    }

    /** A comparison that found differences printed them to stdout: losing them is exit 4. */
    @Test
    void differencesThatCouldNotBePrintedAreExitFour() {
        Run r = new Run(new Failing("Input/output error"), List.of("compare", JSON + ":logits", JSON + ":targets"));
        assertEquals(4, r.code, r.toString());
        // The comparison's verdict goes to stderr, which works; then the lost output.
        List<String> lines = r.err.lines().toList();
        assertEquals(2, lines.size(), r.err);
        assertTrue(lines.get(0).startsWith("focal: " + JSON + ":targets differs from " + JSON + ":logits: "), r.err);
        assertEquals("focal: standard output: cannot write: input/output error", lines.get(1));
    }

    @Test
    void aReaderThatClosedThePipeIsNoFailure() throws IOException {
        for (List<String> args : PRINTING) {
            Failing closed = new Failing(brokenPipe());
            Run r = new Run(closed, args);
            assertEquals(0, r.code, args + "\n" + r);
            assertEquals("", r.err, args.toString());
            assertEquals(1, closed.tries, args.toString());
        }
    }

    /** What a write to a pipe without a reader throws here, in this locale's words. */
    private static String brokenPipe() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.source().close();
        try (Pipe.SinkChannel sink = pipe.sink()) {
            sink.write(ByteBuffer.allocate(1));
        } catch (IOException e) {
            return e.getMessage();
        }
        throw new AssertionError("a write to a pipe without a reader succeeded");
    }

    @Tag("process")
    @Test
    void aChildWritingToAFullDeviceIsExitFourWithOneLine() throws Exception {
        for (List<String> args : PRINTING) {
            Path err = tmp.resolve("err");
            Process p = new ProcessBuilder(command(args)).redirectOutput(new File("/dev/full"))
                    .redirectError(err.toFile()).start();
            assertTrue(p.waitFor(ChildJvm.TIMEOUT.toSeconds(), TimeUnit.SECONDS), args.toString());
            assertEquals("focal: standard output: cannot write: no space left on device\n", focalLines(err),
                    args.toString());
            assertEquals(4, p.exitValue(), args.toString());
        }
    }

    /**
     * Like {@code focal inspect ... | head -1}. Its ~145 KiB of output are more than a pipe holds:
     * the child's writes meet the closed pipe however late its reader is closed.
     */
    @Tag("process")
    @Test
    void aChildWhoseReaderClosedThePipeExitsZeroQuietly() throws Exception {
        List<String> args = new ArrayList<>(List.of("inspect"));
        args.addAll(Collections.nCopies(500, JSON));
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(command(args)).redirectError(err.toFile()).start();
        p.getInputStream().close();
        assertTrue(p.waitFor(ChildJvm.TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("", focalLines(err));
        assertEquals(0, p.exitValue());
    }

    private static List<String> command(List<String> args) {
        List<String> cmd = ChildJvm.javaCommand(List.of());
        cmd.addAll(args);
        return cmd;
    }

    /** stderr without the JVM's own notices (JAVA_TOOL_OPTIONS). */
    private static String focalLines(Path err) throws IOException {
        StringBuilder b = new StringBuilder();
        Files.readString(err).lines().filter(l -> !l.startsWith("Picked up ")).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }
}
