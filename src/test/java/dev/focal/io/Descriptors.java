package dev.focal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The process's open file descriptors as Linux lists them in /proc/self/fd: a link per
 * descriptor to what it is open on, a path (with " (deleted)" once that is unlinked) or
 * {@code pipe:[inode]}. A channel left open holds its descriptor until the collector gets to
 * it, so a leak shows here at once.
 */
final class Descriptors {
    static final Path FDS = Path.of("/proc/self/fd");

    private Descriptors() {
    }

    static void assumeProc() {
        Assumptions.assumeTrue(Files.isDirectory(FDS), "needs /proc");
    }

    /** What each descriptor is open on, by its number. */
    static Map<Integer, String> all() throws IOException {
        Map<Integer, String> open = new TreeMap<>();
        try (Stream<Path> s = Files.list(FDS)) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    open.put(Integer.valueOf(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return open;
    }

    /** The files under {@code dir}, deleted ones included, that a descriptor is open on. */
    static List<String> openUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath() + "/";
        List<String> open = new ArrayList<>();
        for (String target : all().values()) {
            if (target.startsWith(prefix)) {
                open.add(target);
            }
        }
        return open;
    }

    /**
     * A path to the read end of the pipe opened since {@code before} was listed, /proc/self/fd/N:
     * a java.nio Pipe is a pipe(2) on Linux, and the path is to it what /dev/stdin is to a
     * standard input that is a pipe. Opening it opens the pipe again; it stays when the write end
     * is closed, to end the stream.
     */
    static Path newPipe(Map<Integer, String> before) throws IOException {
        for (Map.Entry<Integer, String> e : all().entrySet()) {
            if (e.getValue().startsWith("pipe:") && !e.getValue().equals(before.get(e.getKey()))
                    && readOnly(e.getKey())) {
                return FDS.resolve(e.getKey().toString());
            }
        }
        throw new AssertionError("no new pipe among the descriptors");
    }

    /** Whether the descriptor is open for reading only: its flags' access mode, O_RDONLY (0). */
    private static boolean readOnly(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", Integer.toString(fd)))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & 3) == 0;
            }
        }
        return false;
    }
}
