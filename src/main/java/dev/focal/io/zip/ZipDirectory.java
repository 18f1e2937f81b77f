package dev.focal.io.zip;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a zip archive's structure (PKWARE APPNOTE 6.3): the end records, zip64 included, the
 * central directory, and on demand a member's local header. Only the directory goes onto the
 * heap; member data is left where it is.
 * <p>
 * Our own code, not java.util.zip: a stored member is memory-mapped in place, which needs the
 * offset of its data in the file, and ZipFile does not expose it; ZipInputStream reads the
 * archive front to back and refuses a stored member whose sizes follow it in a data descriptor.
 * The central directory, read here, gives every member's sizes and CRC whatever its local
 * header says. Nor commons-compress, which exposes the offset: a further dependency, loaded in
 * every npz run, for the little of it that focal needs.
 */
public final class ZipDirectory {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int END64 = 0x06064b50;
    private static final int END64_LOCATOR = 0x07064b50;
    private static final int LOCAL_SIZE = 30;
    private static final int CENTRAL_SIZE = 46;
    private static final int END_SIZE = 22;
    private static final int END64_SIZE = 56;
    private static final int LOCATOR_SIZE = 20;
    private static final int ZIP64_EXTRA = 0x0001;
    private static final long MASK32 = 0xFFFFFFFFL;
    /**
     * Room for {@link #MAX_MEMBERS} members with names of over a hundred bytes; a larger directory
     * means a corrupt size, or a file made to fill the heap, not an npz.
     */
    public static final long MAX_DIRECTORY = 16L << 20;
    /**
     * numpy's savez writes one member per array; each costs a few hundred bytes of heap once
     * listed, so a million-member directory would not fit a small heap.
     */
    public static final int MAX_MEMBERS = 100_000;
    /** Without the UTF-8 flag, names are in the original PC code page, as Python's zipfile reads them. */
    private static final Charset CP437 = Charset.forName("IBM437");

    private ZipDirectory() {
    }

    /** The members in central directory order. */
    public static List<ZipMember> read(String file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        int tailSize = (int) Math.min(fileSize, END_SIZE + 0xFFFF);
        long tailStart = fileSize - tailSize;
        ByteBuffer tail = read(ch, tailStart, tailSize);
        int end = findEnd(tail);
        if (end < 0) {
            throw FocalException.input(file, "not a zip archive, or truncated: no end-of-central-directory record");
        }
        long endOffset = tailStart + end;
        // This disk's number and the directory's: both 0 unless the archive is split
        long disks = u16(tail, end + 4) | u16(tail, end + 6);
        long dirSize = u32(tail, end + 12);
        long dirOffset = u32(tail, end + 16);
        long dirLimit = endOffset;
        ByteBuffer locator = endOffset >= LOCATOR_SIZE ? read(ch, endOffset - LOCATOR_SIZE, LOCATOR_SIZE) : null;
        // Python writes the zip64 record whenever an offset or size needs it, leaving the
        // 32-bit fields clipped or even exact: the zip64 record wins whenever it is there.
        if (locator != null && locator.getInt(0) == END64_LOCATOR) {
            long recordOffset = locator.getLong(8);
            dirLimit = endOffset - LOCATOR_SIZE;
            if (recordOffset < 0 || recordOffset > dirLimit - END64_SIZE) {
                throw FocalException.input(file, "corrupt zip64 end record offset " + recordOffset);
            }
            ByteBuffer record = read(ch, recordOffset, END64_SIZE);
            if (record.getInt(0) != END64) {
                throw FocalException.input(file, "no zip64 end-of-central-directory record at offset " + recordOffset);
            }
            disks = u32(record, 16) | u32(record, 20) | (locator.getInt(4) & MASK32);
            dirSize = record.getLong(40);
            dirOffset = record.getLong(48);
            dirLimit = recordOffset;
        }
        if (disks != 0) {
            throw FocalException.input(file, "split (multi-disk) zip archives are not supported");
        }
        if (dirOffset < 0 || dirSize < 0 || dirOffset > dirLimit - dirSize) {
            throw FocalException.input(file, "truncated central directory: " + dirSize + " bytes at offset "
                    + dirOffset + " run past its end record at " + dirLimit);
        }
        if (dirSize > MAX_DIRECTORY) {
            throw FocalException.input(file, "central directory of " + dirSize + " bytes is over the "
                    + MAX_DIRECTORY + " focal reads");
        }
        return entries(file, read(ch, dirOffset, (int) dirSize));
    }

    /** The last end record signature with a whole record after it, as Python's zipfile looks for it. */
    private static int findEnd(ByteBuffer tail) {
        for (int i = tail.capacity() - END_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == END) {
                return i;
            }
        }
        return -1;
    }

    private static List<ZipMember> entries(String file, ByteBuffer dir) {
        List<ZipMember> members = new ArrayList<>();
        int p = 0;
        while (p < dir.capacity()) {
            if (members.size() == MAX_MEMBERS) {
                throw FocalException.input(file, "holds over " + MAX_MEMBERS
                        + " members, more than focal reads from an .npz");
            }
            if (p > dir.capacity() - CENTRAL_SIZE) {
                throw FocalException.input(file, "truncated central directory: entry " + (members.size() + 1)
                        + " is cut short");
            }
            if (dir.getInt(p) != CENTRAL_HEADER) {
                throw FocalException.input(file, "corrupt central directory: no entry signature at entry "
                        + (members.size() + 1));
            }
            int flags = u16(dir, p + 8);
            int nameLength = u16(dir, p + 28);
            int extraLength = u16(dir, p + 30);
            int next = p + CENTRAL_SIZE + nameLength + extraLength + u16(dir, p + 32);
            if (next > dir.capacity()) {
                throw FocalException.input(file, "truncated central directory: entry " + (members.size() + 1)
                        + " is cut short");
            }
            byte[] raw = new byte[nameLength];
            dir.get(p + CENTRAL_SIZE, raw);
            String name = new String(raw, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
            long[] zip64 = {u32(dir, p + 24), u32(dir, p + 20), u32(dir, p + 42)};
            zip64Values(file, name, dir, p + CENTRAL_SIZE + nameLength, extraLength, zip64);
            members.add(new ZipMember(name, raw, flags, u16(dir, p + 10), u32(dir, p + 16), zip64[1],
                    zip64[0], zip64[2]));
            p = next;
        }
        return members;
    }

    /**
     * Replaces the size, compressed size and offset that are 0xFFFFFFFF with their 64-bit values
     * from the zip64 extra field, which holds exactly those, in that order.
     */
    private static void zip64Values(String file, String name, ByteBuffer dir, int start, int length, long[] values) {
        int p = start;
        while (p + 4 <= start + length) {
            int id = u16(dir, p);
            int size = u16(dir, p + 2);
            if (id == ZIP64_EXTRA) {
                int q = p + 4;
                int fieldEnd = Math.min(q + size, start + length);
                for (int i = 0; i < values.length; i++) {
                    if (values[i] == MASK32) {
                        if (q + 8 > fieldEnd) {
                            throw FocalException.input(file, "member " + IoErrors.shown(name)
                                    + ": zip64 extra field is too short");
                        }
                        values[i] = dir.getLong(q);
                        q += 8;
                    }
                }
                return;
            }
            p += 4 + size;
        }
    }

    /**
     * Where the member's data starts, from its local header: its name and extra field may differ
     * in length from the central ones (numpy's local headers carry a zip64 field, the central ones not).
     */
    public static long dataStart(String file, FileChannel ch, ZipMember m) throws IOException {
        long fileSize = ch.size();
        long offset = m.localHeaderOffset();
        if (offset < 0 || offset > fileSize - LOCAL_SIZE) {
            throw m.error(file, "local header at offset " + offset + " is past end of file (" + fileSize + " bytes)");
        }
        ByteBuffer header = read(ch, offset, LOCAL_SIZE);
        if (header.getInt(0) != LOCAL_HEADER) {
            throw m.error(file, "no local header at offset " + offset + " (corrupt archive)");
        }
        int nameLength = u16(header, 26);
        long start = offset + LOCAL_SIZE + nameLength + u16(header, 28);
        if (!Arrays.equals(read(ch, offset + LOCAL_SIZE, nameLength).array(), m.rawName())) {
            throw m.error(file, "local header names a different member (corrupt archive)");
        }
        if (m.compressedSize() < 0 || start > fileSize - m.compressedSize()) {
            throw m.error(file, "data (" + m.compressedSize() + " bytes at offset " + start
                    + ") runs past end of file (" + fileSize + " bytes): truncated archive");
        }
        return start;
    }

    private static ByteBuffer read(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                break;
            }
        }
        return b;
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & MASK32;
    }
}
