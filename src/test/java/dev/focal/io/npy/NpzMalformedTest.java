package dev.focal.io.npy;

import static dev.focal.io.npy.NpzFormatTest.DIR;
import static dev.focal.io.npy.NpzFormatTest.assertMatchesNumpy;
import static dev.focal.io.npy.NpzFormatTest.assertRefused;
import static dev.focal.io.npy.NpzFormatTest.expected;
import static dev.focal.io.npy.NpzFormatTest.file;
import static dev.focal.io.npy.NpzZip64Test.le;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every problem is an input error (exit 3) on one line naming the file; bad members spoil only themselves. */
class NpzMalformedTest {
    @TempDir
    Path tmp;

    @Test
    void aTruncatedArchiveHasNoEndRecord() {
        assertRefused(file("truncated.npz") + ": not a zip archive, or truncated: no end-of-central-directory record",
                () -> TensorIO.open(file("truncated.npz")));
    }

    @Test
    void notAZipDespiteTheExtension() {
        assertRefused(file("not_a_zip.npz") + ": not a zip archive, or truncated: no end-of-central-directory record",
                () -> TensorIO.open(file("not_a_zip.npz")));
    }

    @Test
    void anEmptyArchiveHoldsNoArrays() {
        assertRefused(file("empty.npz") + ": holds no arrays", () -> TensorIO.open(file("empty.npz")));
    }

    @Test
    void aBadCrcSpoilsOnlyItsMember() throws IOException {
        try (TensorFile f = TensorIO.open(file("bad_crc.npz"))) {
            assertEquals(10, f.keys().size());
            // The fixture flips the low byte of the CRC-32 that zipfile wrote for targets.npy.
            long crc = le(fixture("savez_compressed.npz")).getInt(centralEntry(fixture("savez_compressed.npz"), 1) + 16)
                    & 0xFFFFFFFFL;
            assertRefused(String.format("%s: member targets.npy: CRC-32 mismatch (data %08x, directory %08x):"
                    + " corrupt archive", file("bad_crc.npz"), crc, crc ^ 0xFF), () -> f.get("targets"));
            assertMatchesNumpy(expected("savez_compressed.npz", "logits"), f.get("logits"));
        }
    }

    @Test
    void aMemberThatIsNotNpyGetsTheNpyParsersMessage() throws IOException {
        try (TensorFile f = TensorIO.open(file("not_npy.npz"))) {
            assertEquals(List.of("logits", "notes"), f.keys());
            assertRefused(file("not_npy.npz") + ":notes: not a .npy file (no \\x93NUMPY magic)", () -> f.get("notes"));
            assertMatchesNumpy(expected("savez.npz", "logits"), f.get("logits"));
        }
    }

    @Test
    void aTextMemberIsListedButNotAnArray() {
        try (TensorFile f = TensorIO.open(file("txt_member.npz"))) {
            assertEquals(List.of("logits", "x.txt"), f.keys());
            assertRefused(file("txt_member.npz") + ": member x.txt: not an array (numpy's savez writes NAME.npy members)",
                    () -> f.get("x.txt"));
        }
    }

    @Test
    void otherCompressionMethodsAreNamed() {
        try (TensorFile f = TensorIO.open(file("bzip2.npz"))) {
            assertRefused(file("bzip2.npz") + ": member logits.npy: compression method 12 (bzip2) is not supported"
                    + " (numpy writes stored (0) or deflated (8) members)", () -> f.get(null));
        }
    }

    @Test
    void duplicateMembersAreRefused() {
        assertRefused(file("duplicate.npz") + ": holds member logits.npy twice",
                () -> TensorIO.open(file("duplicate.npz")));
    }

    @Test
    void membersWhoseKeysClashAreRefused() throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("a.npy", NpzFormatTest.npy(1));
        members.put("a", NpzFormatTest.npy(2));
        Path npz = deflated("clash.npz", members);
        assertRefused(npz + ": members a.npy and a both give key 'a'", () -> TensorIO.open(npz.toString()));
    }

    @Test
    void encryptedMembersAreRefused() throws IOException {
        byte[] zip = fixture("single.npz");
        int entry = centralEntry(zip, 0);
        le(zip).putShort(entry + 8, (short) 1);
        Path npz = write("encrypted.npz", zip);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertRefused(npz + ": member arr_0.npy: encrypted; focal reads unencrypted archives only",
                    () -> f.get(null));
        }
    }

    @Test
    void memberDataPastTheEndOfTheFile() throws IOException {
        byte[] zip = fixture("single.npz");
        int entry = centralEntry(zip, 0);
        le(zip).putInt(entry + 20, 1_000_000).putInt(entry + 24, 1_000_000);
        Path npz = write("short.npz", zip);
        // zipfile's local header: 30 bytes, the name, and its extra field
        int start = 30 + le(zip).getShort(26) + le(zip).getShort(28);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertRefused(npz + ": member arr_0.npy: data (1000000 bytes at offset " + start
                    + ") runs past end of file (" + zip.length + " bytes): truncated archive", () -> f.get(null));
        }
    }

    @Test
    void aStoredMemberMustDeclareEqualSizes() throws IOException {
        byte[] zip = fixture("single.npz");
        le(zip).putInt(centralEntry(zip, 0) + 24, 100);
        try (TensorFile f = TensorIO.open(write("sizes.npz", zip).toString())) {
            assertRefused(tmp.resolve("sizes.npz") + ": member arr_0.npy: stored, yet declares 100 bytes uncompressed"
                    + " and 144 compressed", () -> f.get(null));
        }
    }

    @Test
    void damagedSignaturesAndEndRecords() throws IOException {
        byte[] noLocal = fixture("single.npz");
        le(noLocal).putInt(le(noLocal).getInt(centralEntry(noLocal, 0) + 42), 0);
        try (TensorFile f = TensorIO.open(write("nolocal.npz", noLocal).toString())) {
            assertRefused(tmp.resolve("nolocal.npz") + ": member arr_0.npy: no local header at offset 0 (corrupt archive)",
                    () -> f.get(null));
        }

        byte[] noCentral = fixture("single.npz");
        le(noCentral).putInt(centralEntry(noCentral, 0), 0);
        Path nocentral = write("nocentral.npz", noCentral);
        assertRefused(nocentral + ": corrupt central directory: no entry signature at entry 1",
                () -> TensorIO.open(nocentral.toString()));

        byte[] split = fixture("single.npz");
        le(split).putShort(split.length - 22 + 6, (short) 1);
        Path splitNpz = write("split.npz", split);
        assertRefused(splitNpz + ": split (multi-disk) zip archives are not supported",
                () -> TensorIO.open(splitNpz.toString()));

        byte[] zip64 = fixture("zip64.npz");
        int locator = zip64.length - 22 - 20;
        long record = le(zip64).getLong(locator + 8);
        le(zip64).putLong(locator + 8, record - 8);
        Path moved = write("zip64.npz", zip64);
        assertRefused(moved + ": no zip64 end-of-central-directory record at offset " + (record - 8),
                () -> TensorIO.open(moved.toString()));
    }

    @Test
    void aCentralDirectoryRunningPastItsEnd() throws IOException {
        byte[] zip = fixture("single.npz");
        ByteBuffer b = le(zip);
        int sizeField = zip.length - 22 + 12;
        int size = b.getInt(sizeField);
        int offset = b.getInt(sizeField + 4);
        b.putInt(sizeField, size + 100);
        Path longer = write("long.npz", zip);
        assertRefused(longer + ": truncated central directory: " + (size + 100) + " bytes at offset " + offset
                + " run past its end record at " + (zip.length - 22), () -> TensorIO.open(longer.toString()));
        b.putInt(sizeField, size - 10);
        Path cut = write("cut.npz", zip);
        assertRefused(cut + ": truncated central directory: entry 1 is cut short", () -> TensorIO.open(cut.toString()));
    }

    @Test
    void aLocalHeaderForAnotherMember() throws IOException {
        byte[] zip = fixture("single.npz");
        int local = le(zip).getInt(centralEntry(zip, 0) + 42);
        zip[local + 30] = 'b';
        try (TensorFile f = TensorIO.open(write("moved.npz", zip).toString())) {
            assertRefused(tmp.resolve("moved.npz") + ": member arr_0.npy: local header names a different member"
                    + " (corrupt archive)", () -> f.get(null));
        }
    }

    @Test
    void corruptDeflateData() throws IOException {
        byte[] zip = fixture("savez_compressed.npz");
        ByteBuffer b = le(zip);
        int local = b.getInt(centralEntry(zip, 0) + 42);
        // The first block header's type bits set to 11, which deflate reserves
        zip[local + 30 + b.getShort(local + 26) + b.getShort(local + 28)] |= 0x06;
        try (TensorFile f = TensorIO.open(write("garbled.npz", zip).toString())) {
            assertRefused(tmp.resolve("garbled.npz") + ": member logits.npy: corrupt deflate data: invalid block type",
                    () -> f.get("logits"));
            assertMatchesNumpy(expected("savez_compressed.npz", "targets"), f.get("targets"));
        }
    }

    @Test
    void theDeclaredSizeMustBeWhatInflates() throws IOException {
        byte[] npy = NpzFormatTest.npy(new double[134]);
        assertEquals(1200, npy.length);
        Path good = deflated("good.npz", Map.of("logits.npy", npy));
        try (TensorFile f = TensorIO.open(good.toString())) {
            assertEquals(134, f.get(null).count(), "Java's writer, with data descriptors, reads fine");
        }
        byte[] zip = Files.readAllBytes(good);
        le(zip).putInt(centralEntry(zip, 0) + 24, 400);
        try (TensorFile f = TensorIO.open(write("small.npz", zip).toString())) {
            assertRefused(tmp.resolve("small.npz") + ": member logits.npy: declared 400 bytes, inflates to 1200",
                    () -> f.get(null));
        }
        le(zip).putInt(centralEntry(zip, 0) + 24, 1300);
        try (TensorFile f = TensorIO.open(write("large.npz", zip).toString())) {
            assertRefused(tmp.resolve("large.npz") + ": member logits.npy: declared 1300 bytes, inflates to 1200",
                    () -> f.get(null));
        }
    }

    /** A bomb declaring its true size is refused on the numbers alone, before a byte is inflated. */
    @Test
    void aSizeNoDeflateStreamCanReachIsRefusedAtOnce() throws IOException {
        byte[] npy = NpzFormatTest.npy(new double[134]);
        byte[] zip = Files.readAllBytes(deflated("bomb.npz", Map.of("logits.npy", npy)));
        le(zip).putInt(centralEntry(zip, 0) + 24, 0xFFFFFFFE);
        int compressed = le(zip).getInt(centralEntry(zip, 0) + 20);
        Path npz = write("bomb.npz", zip);
        String saved = System.getProperty("java.io.tmpdir");
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        System.setProperty("java.io.tmpdir", scratch.toString());
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertRefused(npz + ": member logits.npy: declares 4294967294 bytes from " + compressed
                    + " compressed, more than deflate can produce (1032:1): corrupt, or a zip bomb", () -> f.get(null));
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(0, left.count());
            }
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }

    /** A bomb lying about its size is stopped soon after it inflates past what it declared. */
    @Test
    void aBombUnderstatingItsSizeFailsFast() throws IOException {
        Path bomb = tmp.resolve("bomb.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("logits.npy"));
            zip.write(NpyFormat.header(DType.FLOAT64, Shape.of(100L << 17)));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                zip.write(zeros);
            }
        }
        byte[] zip = Files.readAllBytes(bomb);
        le(zip).putInt(centralEntry(zip, 0) + 24, 1200);
        Path npz = write("bomb.npz", zip);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            FocalException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(FocalException.class, () -> f.get(null)));
            assertEquals(FocalException.INPUT, e.exitCode());
            // Inflation is followed 64 MiB past the declared size, by chunks of at most 64 KiB.
            Matcher m = Pattern.compile(Pattern.quote(npz + ": member logits.npy: declared 1200 bytes, inflates to over ")
                    + "(\\d+)").matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            long over = Long.parseLong(m.group(1));
            assertTrue(over > 1200 + (64L << 20) && over <= 1200 + (64L << 20) + (1 << 16), e.getMessage());
        }
    }

    @Test
    void everyOtherCompressionMethodIsNamed() throws IOException {
        String[][] methods = {{"9", "9 (deflate64)"}, {"12", "12 (bzip2)"}, {"14", "14 (LZMA)"},
            {"93", "93 (Zstandard)"}, {"95", "95 (XZ)"}, {"99", "99"}};
        for (String[] m : methods) {
            byte[] zip = fixture("single.npz");
            le(zip).putShort(centralEntry(zip, 0) + 10, Short.parseShort(m[0]));
            Path npz = write("method" + m[0] + ".npz", zip);
            try (TensorFile f = TensorIO.open(npz.toString())) {
                assertEquals(npz.toString(), f.name());
                assertRefused(npz + ": member arr_0.npy: compression method " + m[1] + " is not supported"
                        + " (numpy writes stored (0) or deflated (8) members)", () -> f.get(null));
            }
        }
    }

    /** A local header must lie whole inside the file: 30 bytes before its end is the last place. */
    @Test
    void aLocalHeaderAtTheEndOfTheFile() throws IOException {
        byte[] zip = fixture("single.npz");
        le(zip).putInt(centralEntry(zip, 0) + 42, zip.length - 30);
        Path last = write("last.npz", zip);
        try (TensorFile f = TensorIO.open(last.toString())) {
            assertRefused(last + ": member arr_0.npy: no local header at offset " + (zip.length - 30)
                    + " (corrupt archive)", () -> f.get(null));
        }
        le(zip).putInt(centralEntry(zip, 0) + 42, zip.length - 10);
        Path past = write("past.npz", zip);
        try (TensorFile f = TensorIO.open(past.toString())) {
            assertRefused(past + ": member arr_0.npy: local header at offset " + (zip.length - 10)
                    + " is past end of file (" + zip.length + " bytes)", () -> f.get(null));
        }
    }

    /** Stored data may run to the last byte of the file; the .npy inside it ends where it says. */
    @Test
    void storedDataMayEndAtTheEndOfTheFile() throws IOException {
        byte[] zip = fixture("single.npz");
        int start = 30 + le(zip).getShort(26) + le(zip).getShort(28);
        int entry = centralEntry(zip, 0);
        le(zip).putInt(entry + 20, zip.length - start).putInt(entry + 24, zip.length - start);
        Path npz = write("to_the_end.npz", zip);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertMatchesNumpy(expected("single.npz", "arr_0"), f.get(null));
        }
        le(zip).putInt(entry + 20, zip.length - start + 1).putInt(entry + 24, zip.length - start + 1);
        Path over = write("over.npz", zip);
        try (TensorFile f = TensorIO.open(over.toString())) {
            assertRefused(over + ": member arr_0.npy: data (" + (zip.length - start + 1) + " bytes at offset " + start
                    + ") runs past end of file (" + zip.length + " bytes): truncated archive", () -> f.get(null));
        }
    }

    /** Empty members, stored and deflated: no bytes are no .npy. */
    @Test
    void anEmptyMemberIsNoNpy() throws IOException {
        Path npz = tmp.resolve("empty_members.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            ZipEntry stored = new ZipEntry("stored.npy");
            stored.setMethod(ZipEntry.STORED);
            stored.setSize(0);
            stored.setCompressedSize(0);
            stored.setCrc(0);
            zip.putNextEntry(stored);
            zip.putNextEntry(new ZipEntry("deflated.npy"));
            zip.putNextEntry(new ZipEntry(""));
        }
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertEquals(List.of("stored", "deflated", ""), f.keys(), "a member without a name is listed too");
            assertRefused(npz + ":stored: not a .npy file (no \\x93NUMPY magic)", () -> f.get("stored"));
            assertRefused(npz + ":deflated: not a .npy file (no \\x93NUMPY magic)", () -> f.get("deflated"));
            assertRefused(npz + ": member : not an array (numpy's savez writes NAME.npy members)", () -> f.get(""));
        }
    }

    /** Deflate reaches 1032:1 at most; a member may declare that much, and the slack, but no more. */
    @Test
    void theLargestDeclaredSizeIsInflatedAndChecked() throws IOException {
        byte[] zip = fixture("savez_compressed.npz");
        int entry = centralEntry(zip, 0);
        long compressed = le(zip).getInt(entry + 20);
        long size = le(zip).getInt(entry + 24);
        le(zip).putInt(entry + 24, (int) (compressed * 1032 + 1024));
        Path most = write("most.npz", zip);
        try (TensorFile f = TensorIO.open(most.toString())) {
            assertRefused(most + ": member logits.npy: declared " + (compressed * 1032 + 1024) + " bytes, inflates to "
                    + size, () -> f.get("logits"));
        }
        le(zip).putInt(entry + 24, (int) (compressed * 1032 + 1025));
        Path more = write("more.npz", zip);
        try (TensorFile f = TensorIO.open(more.toString())) {
            assertRefused(more + ": member logits.npy: declares " + (compressed * 1032 + 1025) + " bytes from "
                    + compressed + " compressed, more than deflate can produce (1032:1): corrupt, or a zip bomb",
                    () -> f.get("logits"));
        }
    }

    /** Deflate data cut short by its declared compressed size: the stream never ends. */
    @Test
    void deflateDataCutShort() throws IOException {
        byte[] zip = fixture("savez_compressed.npz");
        int entry = centralEntry(zip, 0);
        le(zip).putInt(entry + 20, le(zip).getInt(entry + 20) - 10);
        Path cut = write("cut_deflate.npz", zip);
        try (TensorFile f = TensorIO.open(cut.toString())) {
            assertRefused(cut + ": member logits.npy: deflate data ends before the stream does: corrupt member",
                    () -> f.get("logits"));
            assertMatchesNumpy(expected("savez_compressed.npz", "targets"), f.get("targets"));
        }
    }

    @Test
    void centralDirectoryEntriesCutShort() throws IOException {
        byte[] zip = fixture("single.npz");
        int sizeField = zip.length - 22 + 12;
        le(zip).putInt(sizeField, 20);
        Path twenty = write("twenty.npz", zip);
        assertRefused(twenty + ": truncated central directory: entry 1 is cut short",
                () -> TensorIO.open(twenty.toString()));
        for (int shorter : new int[] {5, 15}) {
            byte[] ten = fixture("savez.npz");
            le(ten).putInt(ten.length - 22 + 12, le(ten).getInt(ten.length - 22 + 12) - shorter);
            Path cut = write("cut" + shorter + ".npz", ten);
            assertRefused(cut + ": truncated central directory: entry 10 is cut short",
                    () -> TensorIO.open(cut.toString()));
        }
    }

    /** A zip64 end record at offset 0 (an empty archive, as zipfile writes it past its limit). */
    @Test
    void anEmptyZip64Archive() {
        assertRefused(file("empty_zip64.npz") + ": holds no arrays", () -> TensorIO.open(file("empty_zip64.npz")));
    }

    /** A zip64 locator first in the file leaves no room for the record it points to. */
    @Test
    void aZip64LocatorAtTheStart() throws IOException {
        ByteBuffer b = le(new byte[42]);
        b.putInt(0, 0x07064b50).putLong(8, 0).putInt(16, 1);
        b.putInt(20, 0x06054b50);
        Path npz = write("locator.npz", b.array());
        assertRefused(npz + ": corrupt zip64 end record offset 0", () -> TensorIO.open(npz.toString()));
    }

    @Test
    void damagedZip64Records() throws IOException {
        byte[] zip = fixture("zip64.npz");
        int locator = zip.length - 22 - 20;
        long record = le(zip).getLong(locator + 8);
        le(zip).putLong(locator + 8, record + 8);
        Path late = write("late.npz", zip);
        assertRefused(late + ": corrupt zip64 end record offset " + (record + 8), () -> TensorIO.open(late.toString()));
        for (int field : new int[] {16, 20}) {
            byte[] split = fixture("zip64.npz");
            le(split).putInt((int) record + field, 1);
            Path npz = write("split" + field + ".npz", split);
            assertRefused(npz + ": split (multi-disk) zip archives are not supported",
                    () -> TensorIO.open(npz.toString()));
        }
        byte[] split = fixture("zip64.npz");
        le(split).putInt(locator + 4, 1);
        Path npz = write("split_locator.npz", split);
        assertRefused(npz + ": split (multi-disk) zip archives are not supported", () -> TensorIO.open(npz.toString()));
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(DIR.resolve(name));
    }

    private Path write(String name, byte[] zip) throws IOException {
        return Files.write(tmp.resolve(name), zip);
    }

    private Path deflated(String name, Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                zip.putNextEntry(new ZipEntry(m.getKey()));
                zip.write(m.getValue());
            }
        }
        return write(name, out.toByteArray());
    }

    /** Where the {@code index}th central directory entry starts, in a zip with no comment and no zip64 records. */
    private static int centralEntry(byte[] zip, int index) {
        ByteBuffer b = le(zip);
        int p = b.getInt(zip.length - 22 + 16);
        for (int i = 0; i < index; i++) {
            p += 46 + b.getShort(p + 28) + b.getShort(p + 30) + b.getShort(p + 32);
        }
        return p;
    }
}
