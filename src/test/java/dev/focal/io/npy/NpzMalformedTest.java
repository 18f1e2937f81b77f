package dev.focal.io.npy;

import static dev.focal.io.npy.NpzFormatTest.DIR;
import static dev.focal.io.npy.NpzFormatTest.assertMatchesNumpy;
import static dev.focal.io.npy.NpzFormatTest.assertMentions;
import static dev.focal.io.npy.NpzFormatTest.expected;
import static dev.focal.io.npy.NpzFormatTest.file;
import static dev.focal.io.npy.NpzFormatTest.inputError;
import static dev.focal.io.npy.NpzZip64Test.le;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
import java.util.List;
import java.util.Map;
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
        assertMentions(inputError(() -> TensorIO.open(file("truncated.npz"))),
                "truncated.npz: not a zip archive, or truncated: no end-of-central-directory record");
    }

    @Test
    void notAZipDespiteTheExtension() {
        assertMentions(inputError(() -> TensorIO.open(file("not_a_zip.npz"))), "not_a_zip.npz: not a zip archive");
    }

    @Test
    void anEmptyArchiveHoldsNoArrays() {
        assertMentions(inputError(() -> TensorIO.open(file("empty.npz"))), "empty.npz: holds no arrays");
    }

    @Test
    void aBadCrcSpoilsOnlyItsMember() throws IOException {
        try (TensorFile f = TensorIO.open(file("bad_crc.npz"))) {
            assertEquals(10, f.keys().size());
            assertMentions(inputError(() -> f.get("targets")), "bad_crc.npz: member targets.npy: CRC-32 mismatch");
            assertMatchesNumpy(expected("savez_compressed.npz", "logits"), f.get("logits"));
        }
    }

    @Test
    void aMemberThatIsNotNpyGetsTheNpyParsersMessage() throws IOException {
        try (TensorFile f = TensorIO.open(file("not_npy.npz"))) {
            assertEquals(List.of("logits", "notes"), f.keys());
            assertMentions(inputError(() -> f.get("notes")), "not_npy.npz:notes: not a .npy file");
            assertMatchesNumpy(expected("savez.npz", "logits"), f.get("logits"));
        }
    }

    @Test
    void aTextMemberIsListedButNotAnArray() {
        try (TensorFile f = TensorIO.open(file("txt_member.npz"))) {
            assertEquals(List.of("logits", "x.txt"), f.keys());
            assertMentions(inputError(() -> f.get("x.txt")), "txt_member.npz: member x.txt: not an array");
        }
    }

    @Test
    void otherCompressionMethodsAreNamed() {
        try (TensorFile f = TensorIO.open(file("bzip2.npz"))) {
            assertMentions(inputError(() -> f.get(null)),
                    "bzip2.npz: member logits.npy: compression method 12 (bzip2) is not supported");
        }
    }

    @Test
    void duplicateMembersAreRefused() {
        assertMentions(inputError(() -> TensorIO.open(file("duplicate.npz"))),
                "duplicate.npz: holds member logits.npy twice");
    }

    @Test
    void membersWhoseKeysClashAreRefused() throws IOException {
        Path npz = deflated("clash.npz", Map.of("a.npy", NpzFormatTest.npy(1), "a", NpzFormatTest.npy(2)));
        assertMentions(inputError(() -> TensorIO.open(npz.toString())), "clash.npz: members", "both give key 'a'");
    }

    @Test
    void encryptedMembersAreRefused() throws IOException {
        byte[] zip = fixture("single.npz");
        int entry = centralEntry(zip, 0);
        le(zip).putShort(entry + 8, (short) 1);
        Path npz = write("encrypted.npz", zip);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertMentions(inputError(() -> f.get(null)), "encrypted.npz: member arr_0.npy: encrypted");
        }
    }

    @Test
    void memberDataPastTheEndOfTheFile() throws IOException {
        byte[] zip = fixture("single.npz");
        int entry = centralEntry(zip, 0);
        le(zip).putInt(entry + 20, 1_000_000).putInt(entry + 24, 1_000_000);
        Path npz = write("short.npz", zip);
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertMentions(inputError(() -> f.get(null)), "short.npz: member arr_0.npy: data", "past end of file");
        }
    }

    @Test
    void aStoredMemberMustDeclareEqualSizes() throws IOException {
        byte[] zip = fixture("single.npz");
        le(zip).putInt(centralEntry(zip, 0) + 24, 100);
        try (TensorFile f = TensorIO.open(write("sizes.npz", zip).toString())) {
            assertMentions(inputError(() -> f.get(null)),
                    "sizes.npz: member arr_0.npy: stored, yet declares 100 bytes uncompressed and 144 compressed");
        }
    }

    @Test
    void damagedSignaturesAndEndRecords() throws IOException {
        byte[] noLocal = fixture("single.npz");
        le(noLocal).putInt(le(noLocal).getInt(centralEntry(noLocal, 0) + 42), 0);
        try (TensorFile f = TensorIO.open(write("nolocal.npz", noLocal).toString())) {
            assertMentions(inputError(() -> f.get(null)), "nolocal.npz: member arr_0.npy: no local header at offset 0");
        }

        byte[] noCentral = fixture("single.npz");
        le(noCentral).putInt(centralEntry(noCentral, 0), 0);
        assertMentions(inputError(() -> TensorIO.open(write("nocentral.npz", noCentral).toString())),
                "nocentral.npz: corrupt central directory: no entry signature at entry 1");

        byte[] split = fixture("single.npz");
        le(split).putShort(split.length - 22 + 6, (short) 1);
        assertMentions(inputError(() -> TensorIO.open(write("split.npz", split).toString())),
                "split.npz: split (multi-disk) zip archives are not supported");

        byte[] zip64 = fixture("zip64.npz");
        int locator = zip64.length - 22 - 20;
        le(zip64).putLong(locator + 8, le(zip64).getLong(locator + 8) - 8);
        assertMentions(inputError(() -> TensorIO.open(write("zip64.npz", zip64).toString())),
                "zip64.npz: no zip64 end-of-central-directory record at offset");
    }

    @Test
    void aCentralDirectoryRunningPastItsEnd() throws IOException {
        byte[] zip = fixture("single.npz");
        ByteBuffer b = le(zip);
        int sizeField = zip.length - 22 + 12;
        b.putInt(sizeField, b.getInt(sizeField) + 100);
        assertMentions(inputError(() -> TensorIO.open(write("long.npz", zip).toString())),
                "long.npz: truncated central directory");
        b.putInt(sizeField, b.getInt(sizeField) - 110);
        assertMentions(inputError(() -> TensorIO.open(write("cut.npz", zip).toString())),
                "cut.npz: truncated central directory: entry 1 is cut short");
    }

    @Test
    void aLocalHeaderForAnotherMember() throws IOException {
        byte[] zip = fixture("single.npz");
        int local = le(zip).getInt(centralEntry(zip, 0) + 42);
        zip[local + 30] = 'b';
        try (TensorFile f = TensorIO.open(write("moved.npz", zip).toString())) {
            assertMentions(inputError(() -> f.get(null)),
                    "moved.npz: member arr_0.npy: local header names a different member");
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
            assertMentions(inputError(() -> f.get("logits")), "garbled.npz: member logits.npy: corrupt deflate data");
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
            assertMentions(inputError(() -> f.get(null)),
                    "small.npz: member logits.npy: declared 400 bytes, inflates to 1200");
        }
        le(zip).putInt(centralEntry(zip, 0) + 24, 1300);
        try (TensorFile f = TensorIO.open(write("large.npz", zip).toString())) {
            assertMentions(inputError(() -> f.get(null)),
                    "large.npz: member logits.npy: declared 1300 bytes, inflates to 1200");
        }
    }

    /** A bomb declaring its true size is refused on the numbers alone, before a byte is inflated. */
    @Test
    void aSizeNoDeflateStreamCanReachIsRefusedAtOnce() throws IOException {
        byte[] npy = NpzFormatTest.npy(new double[134]);
        byte[] zip = Files.readAllBytes(deflated("bomb.npz", Map.of("logits.npy", npy)));
        le(zip).putInt(centralEntry(zip, 0) + 24, 0xFFFFFFFE);
        Path npz = write("bomb.npz", zip);
        String saved = System.getProperty("java.io.tmpdir");
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        System.setProperty("java.io.tmpdir", scratch.toString());
        try (TensorFile f = TensorIO.open(npz.toString())) {
            assertMentions(inputError(() -> f.get(null)),
                    "bomb.npz: member logits.npy: declares 4294967294 bytes from", "zip bomb");
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
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertMentions(inputError(() -> f.get(null)),
                    "bomb.npz: member logits.npy: declared 1200 bytes, inflates to over"));
        }
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
