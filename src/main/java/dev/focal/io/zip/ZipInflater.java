package dev.focal.io.zip;

import dev.focal.io.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a deflated member, checking the declared size and CRC-32.
 * Small members inflate onto the heap; large ones into a temporary file that is mapped.
 * <p>
 * The inflating is the JDK's {@link Inflater}; the loop around it is ours because members are
 * located by {@link ZipDirectory}, not by a ZipFile whose input stream could inflate them, and
 * because it stops at the size the directory declares, so that a zip bomb is refused before it
 * fills the heap or the disk, and says how far past that size the data went.
 */
public final class ZipInflater {
    /**
     * Members up to this size, uncompressed, inflate onto the heap: 64 MiB, or a sixteenth of the
     * maximum heap when that is less, so that a run with a small heap (eval reads three members)
     * maps its members from temporary files instead of running out of memory.
     */
    public static final long HEAP_LIMIT = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);
    /**
     * Deflate spends at least 2 bits on a 258-byte match, so nothing inflates past 1032:1 (numpy's
     * zeros reach 1028:1, so a lower cap would refuse real arrays). A member declaring more is
     * corrupt or a bomb and is refused before anything is allocated; the slack is for tiny members.
     */
    private static final long MAX_RATIO = 1032;
    private static final long RATIO_SLACK = 1024;
    /** How far inflation is followed past the declared size to report the true size, before giving up. */
    private static final long OVERRUN_LIMIT = 64L << 20;
    private static final int CHUNK = 1 << 16;

    private ZipInflater() {
    }

    private interface Sink {
        void write(byte[] bytes, int n) throws IOException;
    }

    /** Parses a member's inflated bytes; called while they are readable (a temporary file is still open). */
    public interface Reader<T> {
        T read(ByteSource inflated) throws IOException;
    }

    /**
     * Inflates member {@code m} of {@code file}, whose deflated data starts at {@code start}, and
     * hands it to {@code reader}; storage the reader makes outlives this call.
     */
    public static <T> T read(String file, FileChannel ch, ZipMember m, long start, Reader<T> reader)
            throws IOException {
        long size = m.size();
        if (size < 0 || size > m.compressedSize() * MAX_RATIO + RATIO_SLACK) {
            throw m.error(file, "declares " + size + " bytes from " + m.compressedSize()
                    + " compressed, more than deflate can produce (1032:1): corrupt, or a zip bomb");
        }
        if (size <= HEAP_LIMIT) {
            ByteBuffer out = ByteBuffer.allocate((int) size);
            inflate(file, ch, m, start, (bytes, n) -> out.put(bytes, 0, n));
            return reader.read(ByteSource.of(out.flip()));
        }
        Path tmp = tempFile(file, m);
        FileChannel t;
        try {
            // Unix unlinks a DELETE_ON_CLOSE file as soon as it is open, so nothing is left
            // behind even if the JVM is killed; the mapping keeps the data reachable.
            t = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (t) {
            inflate(file, ch, m, start, (bytes, n) -> {
                ByteBuffer b = ByteBuffer.wrap(bytes, 0, n);
                while (b.hasRemaining()) {
                    t.write(b);
                }
            });
            return reader.read(ByteSource.of(t, 0, size));
        }
    }

    /** A temporary file, once the member is known to fit in the temporary directory's free space. */
    private static Path tempFile(String file, ZipMember m) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        long free = Files.getFileStore(dir).getUsableSpace();
        if (m.size() > free) {
            throw m.error(file, "inflates to " + m.size() + " bytes, more than the " + free + " free in " + dir);
        }
        return Files.createTempFile(dir, "focal-", ".npy");
    }

    /** Inflates into {@code sink} no more than the declared size, then checks the size and CRC-32. */
    private static void inflate(String file, FileChannel ch, ZipMember m, long start, Sink sink) throws IOException {
        long size = m.size();
        Inflater inflater = new Inflater(true);
        CRC32 crc = new CRC32();
        byte[] in = new byte[CHUNK];
        byte[] out = new byte[CHUNK];
        long consumed = 0;
        long total = 0;
        boolean padded = false;
        boolean finished;
        try {
            while (!inflater.finished() && total <= size + OVERRUN_LIMIT) {
                if (inflater.needsInput()) {
                    int n = (int) Math.min(CHUNK, m.compressedSize() - consumed);
                    if (n > 0) {
                        readFully(ch, start + consumed, in, n);
                        inflater.setInput(in, 0, n);
                        consumed += n;
                    } else if (!padded) {
                        // zlib may ask for one byte past a raw deflate stream (see Inflater's nowrap).
                        inflater.setInput(new byte[1]);
                        padded = true;
                    } else {
                        throw m.error(file, "deflate data ends before the stream does: corrupt member");
                    }
                }
                int n = inflater.inflate(out);
                int keep = (int) Math.max(0, Math.min(n, size - total));
                crc.update(out, 0, keep);
                sink.write(out, keep);
                total += n;
            }
            finished = inflater.finished();
        } catch (DataFormatException e) {
            throw m.error(file, "corrupt deflate data: " + e.getMessage());
        } finally {
            inflater.end();
        }
        if (total != size) {
            throw m.error(file, "declared " + size + " bytes, inflates to " + (finished ? "" : "over ")
                    + total);
        }
        if (crc.getValue() != m.crc()) {
            throw m.error(file, String.format("CRC-32 mismatch (data %08x, directory %08x): corrupt archive",
                    crc.getValue(), m.crc()));
        }
    }

    private static void readFully(FileChannel ch, long position, byte[] into, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into, 0, n);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new EOFException("file shrank while being read");
            }
        }
    }
}
