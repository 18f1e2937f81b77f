package dev.focal.io;

import dev.focal.FocalException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that the target name only ever holds the old content or the complete new
 * one: the bytes go to a hidden temporary file in the target's directory, are forced to disk when
 * FOCAL_FSYNC=1 (see {@link #force}), and the temporary file is then renamed into place (see
 * {@link Pending#commit} for how a big file replaces an old one). On failure, and on
 * SIGINT/SIGTERM, the temporary file is removed; a SIGKILL can leave it behind.
 */
public final class AtomicFile {
    /** Writes the file's content to the stream it is given. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Held by a commit and by the shutdown hook, so that SIGINT or SIGTERM never finds a commit
     * half done: the hook waits for it to finish.
     */
    private static final Object COMMITS = new Object();

    private static volatile boolean sync;
    /** From this size on, a file replaces its target through {@link Pending#moveAside}. */
    static final long SET_ASIDE_BYTES = 1 << 20;

    private AtomicFile() {
    }

    /**
     * Whether finished files are forced to disk (see {@link #force}). The command line sets it
     * once per run from FOCAL_FSYNC: a static, since every writer in the library ends here and
     * none of them should carry the flag, and set from outside, so that a test can set it
     * in-process and the library reads no environment.
     */
    public static void syncToDisk(boolean on) {
        sync = on;
    }

    /** Whether the last {@link #syncToDisk} asked for forcing. */
    public static boolean syncsToDisk() {
        return sync;
    }

    /**
     * Forces a finished temporary file to disk before its rename when FOCAL_FSYNC=1. By default
     * it is not forced, as numpy's np.save and torch.save do not: the rename alone already
     * guarantees that a failed, interrupted or killed run never leaves a partial file, and
     * forcing costs more than the whole evaluation on a big output (BENCHMARKS.md). Only
     * a crash of the machine itself needs the sync.
     */
    static void force(FileChannel ch) throws IOException {
        if (sync) {
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
        createParents(abs, name);
        String stem = "." + abs.getFileName() + ".focal-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        Path tmp = abs.resolveSibling(stem + ".tmp");
        Cleanup.PENDING.add(tmp);
        try {
            Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            Cleanup.PENDING.remove(tmp);
            throw FocalException.output(name, "cannot write: " + IoErrors.describe(e), e);
        }
        return new Pending(abs, tmp, abs.resolveSibling(stem + ".old"));
    }

    /**
     * Creates the missing folders above {@code target}, as pytest and Surefire do for their
     * reports: a CI recipe's {@code --junit reports/focal.xml} must work on a fresh checkout. A
     * failed run may leave such a folder behind, empty; never a partial file.
     */
    private static void createParents(Path target, String name) {
        Path parent = target.getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException e) {
            throw FocalException.output(name, "cannot write: " + e.getFile() + " is not a directory", e);
        } catch (IOException e) {
            throw FocalException.output(name, "cannot create its folder: " + IoErrors.describe(e), e);
        }
    }

    /**
     * The temporary files not yet committed or closed, and the shutdown hook that deletes them.
     * A class of its own so that the hook is registered with the first temporary file, not by
     * the command line's {@link #syncToDisk} in every run.
     */
    private static final class Cleanup {
        static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (COMMITS) {
                    for (Path p : PENDING) {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException ignored) {
                            // best effort while the JVM goes down
                        }
                    }
                }
            }, "focal-temp-cleanup"));
        }
    }

    /** A temporary file on its way to replacing a target. */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        /** Where {@link #commit} puts the old target while the new file takes its name. */
        private final Path aside;

        private Pending(Path target, Path tmp, Path aside) {
            this.target = target;
            this.tmp = tmp;
            this.aside = aside;
        }

        /** The temporary file to write. */
        public Path path() {
            return tmp;
        }

        /**
         * Makes the temporary file the target. A file under {@link #SET_ASIDE_BYTES}, or any
         * file with FOCAL_FSYNC=1, is renamed over the target, atomically. A bigger one is not,
         * because of ext4: a rename over an existing file (its {@code auto_da_alloc}) allocates
         * the new file's delayed blocks and starts writing them inside the rename, which then takes
         * far longer than a rename to an absent name (BENCHMARKS.md). So the old target is renamed
         * aside first, the new file renamed in, and the old one deleted: the name is absent for
         * the instant between the two renames.
         * The shutdown hook waits for a commit, so SIGINT and SIGTERM never land in that instant;
         * a SIGKILL there leaves the old content under {@code .NAME.focal-HEX.old}.
         */
        public void commit() throws IOException {
            synchronized (COMMITS) {
                boolean setAside = !sync && Files.size(tmp) >= SET_ASIDE_BYTES && moveAside();
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    if (setAside) {
                        try {
                            Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                        } catch (IOException restore) {
                            e.addSuppressed(restore);
                        }
                    }
                    throw e;
                }
                if (setAside) {
                    try {
                        Files.delete(aside);
                    } catch (IOException ignored) {
                        // the new file is in place; the directory allowed two renames, so this
                        // only fails if someone else removed the file first
                    }
                }
            }
        }

        /**
         * Renames the target to {@link #aside}; false when there is no target, it is a directory
         * (made one since {@link #create}), or it cannot be moved: the rename over it then
         * reports why.
         */
        private boolean moveAside() {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            try {
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename already consumed it, or the directory is gone
            }
            Cleanup.PENDING.remove(tmp);
        }
    }
}
