package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Inputs that cannot be read twice or mapped: standard input ({@code -}), a pipe named by a path
 * ({@code /dev/stdin}, {@code <(...)}), a FIFO. Every reader probes a file's first bytes and then
 * reads it from the start, most of them by mapping it; so such an input is first copied to a
 * temporary file, which is read as usual and deleted when the file is closed or focal exits
 * (docs/commands.md#pipes).
 */
public final class Spool {
    /** The name that means standard input. */
    static final String STDIN = "-";
    /** st_mode's file type bits, and the types that are a stream of bytes to spool. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    private Spool() {
    }

    /**
     * Whether {@code path} (an existing file, not a directory) must be spooled: a pipe or a
     * socket. A device is refused: a terminal would wait for typing, /dev/zero never ends.
     */
    static boolean needed(Path path, String name) {
        if (Files.isRegularFile(path)) {
            return false;
        }
        int type;
        try {
            type = (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
        if (type == S_IFIFO || type == S_IFSOCK) {
            return true;
        }
        throw FocalException.input(name, "is a device, not a file or a pipe");
    }

    /**
     * Standard input as a path: a regular file when it is redirected from one, which is read in
     * place as often as asked. The methods that look at it take it as a parameter, so that a test
     * can give a pipe's path or a file's instead.
     */
    static final Path STDIN_PATH = Path.of("/dev/stdin");

    /** Copies the stream to a temporary file and opens that as {@code open} would open a file. */
    static TensorFile open(InputStream in, String name, Opener open) {
        Path tmp;
        try {
            tmp = Files.createTempFile("focal-spool-", ".tmp");
        } catch (IOException e) {
            throw FocalException.input(name, "cannot copy the pipe to a temporary file: " + IoErrors.describe(e), e);
        }
        tmp.toFile().deleteOnExit();
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                copy(in, out, name, tmp);
            }
            return new Spooled(open.open(tmp, name), tmp);
        } catch (IOException | RuntimeException e) {
            delete(tmp);
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw FocalException.input(name, "cannot copy the pipe to " + tmp.getParent() + ": "
                    + IoErrors.describe((IOException) e), e);
        }
    }

    private static void copy(InputStream in, OutputStream out, String name, Path tmp) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
            }
            if (n < 0) {
                return;
            }
            out.write(buf, 0, n);
        }
    }

    private static void delete(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Left for deleteOnExit.
        }
    }

    /** How TensorIO opens a file: its path, and the name messages use. */
    interface Opener {
        TensorFile open(Path path, String name);
    }

    /** A spooled input: the file read from the copy, which goes when the file is closed. */
    private static final class Spooled implements TensorFile {
        private final TensorFile file;
        private final Path copy;

        Spooled(TensorFile file, Path copy) {
            this.file = file;
            this.copy = copy;
        }

        @Override
        public String name() {
            return file.name();
        }

        @Override
        public List<String> keys() {
            return file.keys();
        }

        @Override
        public Map<String, String> metadata() {
            return file.metadata();
        }

        @Override
        public Tensor get(String key) {
            return file.get(key);
        }

        /** Mapped tensors keep their pages after the unlink: deleting frees only the name. */
        @Override
        public void close() {
            file.close();
            delete(copy);
        }
    }

    /**
     * Whether {@code file} names standard input when that is a stream, which can be read once:
     * {@code -}, or a path to the same pipe ({@code /dev/stdin}, {@code /dev/fd/0}).
     */
    public static boolean readsStdinStream(String file) {
        return readsStdinStream(file, STDIN_PATH);
    }

    /** As {@link #readsStdinStream(String)}, with {@code stdin} the path standard input is at. */
    static boolean readsStdinStream(String file, Path stdin) {
        if (Files.isRegularFile(stdin)) {
            return false;
        }
        if (file.equals(STDIN)) {
            return true;
        }
        try {
            Path path = Path.of(file);
            return Files.exists(path) && Files.isSameFile(path, stdin);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
