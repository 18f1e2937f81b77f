package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits the readers check before they spend memory, and the escaping that keeps a hostile file's
 * text out of the one-line messages. (The .npy header and size limits and the .npz ratio check
 * have their files in src/test/resources/bad, the .npz size checks are in NpzMalformedTest, and a
 * JSON tensor too big for the heap is tested on a small heap in dev.focal.cli.SmallHeapTest.)
 */
class ReaderLimitsTest {
    @TempDir
    Path tmp;

    private FocalException refused(String file) {
        FocalException e = assertThrows(FocalException.class, () -> {
            try (TensorFile f = TensorIO.open(file)) {
                for (String key : f.keys()) {
                    f.get(key);
                }
            }
        });
        assertEquals(FocalException.INPUT, e.exitCode(), e.getMessage());
        return e;
    }

    @Test
    void aJsonBundleOfTooManyKeysIsRefusedWhileItsOutlineIsRead() throws IOException {
        Path p = tmp.resolve("keys.json");
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write('{');
            for (int i = 0; i <= JsonReader.Outline.MAX_KEYS; i++) {
                w.write((i == 0 ? "" : ", ") + "\"k" + i + "\": [" + i + "]");
            }
            w.write("}\n");
        }
        assertEquals(p + ": holds over 100000 keys, more than focal reads from a JSON bundle",
                refused(p.toString()).getMessage());
    }

    @Test
    void aJsonBundleOfTooLongKeysIsRefused() throws IOException {
        Path p = tmp.resolve("long_keys.json");
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write('{');
            for (int i = 0; i < 30; i++) { // 30 keys of 40000 characters: under Jackson's 50000 each
                w.write((i == 0 ? "" : ", ") + "\"" + i + "x".repeat(40_000) + "\": [1]");
            }
            w.write("}\n");
        }
        assertEquals(p + ": its keys and dtypes run over 1048576 characters, more than focal reads from a JSON bundle",
                refused(p.toString()).getMessage());
    }

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

    @Test
    void textFromAFileIsShownOnOnePrintableLine() {
        assertEquals("a\\nb\\r\\tc\\\\d", IoErrors.shown("a\nb\r\tc\\d"));
        assertEquals("\\x1b[2J\\x00\\x7f\\x85", IoErrors.shown("\u001b[2J\u0000\u007f\u0085"));
        // line and paragraph separators; bidi overrides and zero-width characters that would hide text
        assertEquals("\\u2028\\u2029\\u202e\\u200b\\ufeff", IoErrors.shown("\u2028\u2029\u202e\u200b\ufeff"));
        assertEquals("\\ud800x", IoErrors.shown("\ud800x"), "a lone surrogate");
        assertEquals("é漢\uD83D\uDE00 ok", IoErrors.shown("é漢\uD83D\uDE00 ok"), "printable text is kept");
        assertEquals("x".repeat(IoErrors.SHOWN_CHARS) + "...", IoErrors.shown("x".repeat(500)));
        assertEquals("null", IoErrors.shown(null));
    }
}
