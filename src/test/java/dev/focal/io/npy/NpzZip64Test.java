package dev.focal.io.npy;

import static dev.focal.io.npy.NpzFormatTest.DIR;
import static dev.focal.io.npy.NpzFormatTest.assertMatchesNumpy;
import static dev.focal.io.npy.NpzFormatTest.expected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives over 4 GiB store sizes, offsets and the directory's place in zip64 fields. Two small
 * stand-ins: what Python's zipfile writes past its limit, and a handmade archive saturating
 * every 32-bit field, which is what other writers do.
 */
class NpzZip64Test {
    @Test
    void readsPythonsZip64Records() throws IOException {
        byte[] zip = Files.readAllBytes(DIR.resolve("zip64.npz"));
        int end = zip.length - 22;
        assertEquals(0x06054b50, le(zip).getInt(end));
        assertEquals(0x07064b50, le(zip).getInt(end - 20), "the fixture has a zip64 locator");
        assertEquals(0x06064b50, le(zip).getInt((int) le(zip).getLong(end - 20 + 8)), "and a zip64 end record");
        try (TensorFile f = TensorIO.open(DIR.resolve("zip64.npz").toString())) {
            assertEquals(List.of("logits", "labels"), f.keys());
            assertMatchesNumpy(expected("zip64.npz", "logits"), f.get("logits"));
            // labels' local header is past zipfile's lowered limit: its offset is in the zip64 extra
            assertMatchesNumpy(expected("zip64.npz", "labels"), f.get("labels"));
        }
    }

    @Test
    void readsSaturatedFieldsAndAComment(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("logits.npy", NpzFormatTest.npy(0.5, -1.5));
        members.put("targets.npy", NpzFormatTest.npy(1.0, 0.0, 0.25));
        Path npz = tmp.resolve("handmade.npz");
        Files.write(npz, zip64(members, "written by hand"));

        try (ZipFile independent = new ZipFile(npz.toFile())) {
            assertEquals(2, independent.size(), "Java's own reader agrees the archive is valid");
            assertArrayEquals(members.get("targets.npy"),
                    independent.getInputStream(independent.getEntry("targets.npy")).readAllBytes());
        }
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertEquals(List.of("logits", "targets"), f.keys());
            Tensor t = f.get("targets");
            assertEquals(3, t.count());
            assertEquals(0.25, t.getDouble(2));
            assertEquals(-1.5, f.get("logits").getDouble(1));
        }
    }

    /**
     * A stored archive in the zip64 form of APPNOTE 4.5.3: every size and offset in the 32-bit
     * fields is 0xFFFFFFFF and the real values are in the zip64 extra fields and end record.
     */
    static byte[] zip64(Map<String, byte[]> members, String comment) {
        return zip64(members, comment, 24);
    }

    /** The same with the central zip64 fields cut to their first {@code zip64Bytes} bytes. */
    static byte[] zip64(Map<String, byte[]> members, String comment, int zip64Bytes) {
        Bytes out = new Bytes();
        List<Long> offsets = new ArrayList<>();
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            offsets.add((long) out.size());
            byte[] name = m.getKey().getBytes(StandardCharsets.UTF_8);
            long size = m.getValue().length;
            out.u32(0x04034b50).u16(45).u16(0).u16(0).u16(0).u16(0).u32(crc(m.getValue()))
                    .u32(0xFFFFFFFFL).u32(0xFFFFFFFFL).u16(name.length).u16(20).bytes(name)
                    .u16(1).u16(16).u64(size).u64(size).bytes(m.getValue());
        }
        long dirOffset = out.size();
        int i = 0;
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            byte[] name = m.getKey().getBytes(StandardCharsets.UTF_8);
            long size = m.getValue().length;
            Bytes fields = new Bytes().u64(size).u64(size).u64(offsets.get(i++));
            out.u32(0x02014b50).u16(45).u16(45).u16(0).u16(0).u16(0).u16(0).u32(crc(m.getValue()))
                    .u32(0xFFFFFFFFL).u32(0xFFFFFFFFL).u16(name.length).u16(4 + zip64Bytes).u16(0).u16(0).u16(0).u32(0)
                    .u32(0xFFFFFFFFL).bytes(name).u16(1).u16(zip64Bytes).write(fields.toByteArray(), 0, zip64Bytes);
        }
        long dirSize = out.size() - dirOffset;
        long record = out.size();
        out.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(members.size()).u64(members.size())
                .u64(dirSize).u64(dirOffset);
        out.u32(0x07064b50).u32(0).u64(record).u32(1);
        byte[] text = comment.getBytes(StandardCharsets.US_ASCII);
        out.u32(0x06054b50).u16(0).u16(0).u16(0xFFFF).u16(0xFFFF).u32(0xFFFFFFFFL).u32(0xFFFFFFFFL)
                .u16(text.length).bytes(text);
        return out.toByteArray();
    }

    /** A zip64 field must hold every value its entry saturates: here 0 or 1 of 3. */
    @Test
    void aZip64FieldTooShortForTheSaturatedValues(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> members = Map.of("logits.npy", NpzFormatTest.npy(0.5, -1.5));
        for (int bytes : new int[] {0, 8}) {
            Path npz = tmp.resolve("short" + bytes + ".npz");
            Files.write(npz, zip64(members, "", bytes));
            NpzFormatTest.assertRefused(npz + ": member logits.npy: zip64 extra field is too short",
                    () -> TensorIO.open(npz.toString()));
        }
    }

    private static long crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Little-endian fields, as zip spells them. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes u16(int v) {
            write(v);
            write(v >>> 8);
            return this;
        }

        Bytes u32(long v) {
            return u16((int) v & 0xFFFF).u16((int) (v >>> 16) & 0xFFFF);
        }

        Bytes u64(long v) {
            return u32(v & 0xFFFFFFFFL).u32(v >>> 32);
        }

        Bytes bytes(byte[] b) {
            write(b, 0, b.length);
            return this;
        }
    }
}
