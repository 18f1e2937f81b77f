package dev.focal.io;

import dev.focal.FocalException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers only ever see the old content or the complete new one: the
 * bytes go to a hidden temporary file in the target's directory, are forced to disk when
 * FOCAL_FSYNC=1 (see {@link #force}), and the temporary file is renamed over the target. On
 * failure, and on SIGINT/SIGTERM, the temporary file is removed; a SIGKILL can leave it behind,
 * but never touches the target name.
 */
public final class AtomicFile {
    /** Writes the file's content to the stream it is given. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : PENDING) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort while the JVM goes down
                }
            }
        }, "focal-temp-cleanup"));
    }

    private static final boolean SYNC = "1".equals(System.getenv("FOCAL_FSYNC"));

    private AtomicFile() {
    }

    /**
     * Forces a finished temporary file to disk before its rename when FOCAL_FSYNC=1. By default
     * it is not forced, as numpy's np.save and torch.save do not: the rename alone already
     * guarantees that a failed, interrupted or killed run never leaves a partial file, and
     * forcing costs more than the whole evaluation on a big output (0.4 s for 40 MB here). Only
     * a crash of the machine itself needs the sync.
     */
    static void force(FileChannel ch) throws IOException {
        if (SYNC) {
            ch.force(true);
        }
    }

    /** Refuses targets that can never be written (a directory), before any work is done. */
    public static void checkWritable(Path target) {
        if (Files.isDirectory(target)) {
            throw new FocalException(FocalException.USAGE, target + ": is a directory, expected an output file");
        }
    }

    public static void write(Path target, Body body) {
        try (Pending pending = create(target);
             FileChannel ch = FileChannel.open(pending.path(), StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            body.writeTo(out);
            out.flush();
            force(ch);
            pending.commit();
        } catch (IOException e) {
            throw FocalException.output(target.toString(), "cannot write: " + IoErrors.describe(e), e);
        }
    }

    /**
     * A new, empty temporary file beside {@code target}. Fill it, {@link #force} it, then
     * {@link Pending#commit} renames it over the target; closing without a commit deletes it.
     */
    public static Pending create(Path target) {
        String name = target.toString();
        if (Files.isDirectory(target)) {
            throw FocalException.output(name, "is a directory", null);
        }
        Path abs = target.toAbsolutePath();
        Path tmp = abs.getParent().resolve("." + abs.getFileName() + ".focal-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        PENDING.add(tmp);
        try {
            Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            PENDING.remove(tmp);
            throw FocalException.output(name, "cannot write: " + IoErrors.describe(e), e);
        }
        return new Pending(abs, tmp);
    }

    /** A temporary file on its way to replacing a target. */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;

        private Pending(Path target, Path tmp) {
            this.target = target;
            this.tmp = tmp;
        }

        /** The temporary file to write. */
        public Path path() {
            return tmp;
        }

        /** Renames the temporary file over the target, atomically. */
        public void commit() throws IOException {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename already consumed it, or the directory is gone
            }
            PENDING.remove(tmp);
        }
    }
}
