package dev.focal.io.zip;

import static dev.focal.io.ReaderLimitsTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits the zip reader checks before it spends memory: the size of the directory, the number
 * of members, and where an inflated member may go. */
class ZipLimitsTest {
    @TempDir
    Path tmp;

    /** An end-of-central-directory record (no zip64) declaring a directory of {@code size} bytes at {@code offset}. */
    private static byte[] endRecord(int entries, long size, long offset) {
        ByteBuffer b = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries)
                .putShort((short) entries).putInt((int) size).putInt((int) offset).putShort((short) 0);
        return b.array();
    }

    @Test
    void anNpzDirectoryOverSixteenMebibytesIsRefusedBeforeItIsRead() throws IOException {
        Path p = tmp.resolve("big_directory.npz");
        long size = ZipDirectory.MAX_DIRECTORY + 1;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size); // sparse: the directory's bytes are never read
            f.seek(size);
            f.write(endRecord(0xFFFF, size, 0));
        }
        assertEquals(p + ": central directory of 16777217 bytes is over the 16777216 focal reads",
                refused(p.toString()).getMessage());
    }

    /** A directory of exactly the limit is read (this one is all zeros, no entry). */
    @Test
    void anNpzDirectoryOfSixteenMebibytesIsRead() throws IOException {
        Path p = tmp.resolve("limit_directory.npz");
        long size = ZipDirectory.MAX_DIRECTORY;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            f.seek(size);
            f.write(endRecord(0xFFFF, size, 0));
        }
        assertEquals(p + ": corrupt central directory: no entry signature at entry 1", refused(p.toString()).getMessage());
    }

    @Test
    void anNpzOfTooManyMembersIsRefusedWhileItsDirectoryIsRead() throws IOException {
        Path p = tmp.resolve("many_members.npz");
        int n = ZipDirectory.MAX_MEMBERS + 1;
        ByteBuffer dir = ByteBuffer.allocate(n * (46 + 12)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            byte[] name = String.format("m%07d.npy", i).getBytes(StandardCharsets.US_ASCII);
            dir.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(0).putInt(0).putInt(0)
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).put(name);
        }
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write(dir.array(), 0, dir.position());
            out.write(endRecord(0xFFFF, dir.position(), 0));
        }
        assertEquals(p + ": holds over 100000 members, more than focal reads from an .npz",
                refused(p.toString()).getMessage());
    }

    @Test
    void deflatedMembersInflateOntoTheHeapOnlyWhenSmallBesideIt() {
        assertTrue(ZipInflater.HEAP_LIMIT <= 64L << 20);
        assertTrue(ZipInflater.HEAP_LIMIT <= Runtime.getRuntime().maxMemory() / 16);
    }

}
