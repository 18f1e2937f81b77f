package dev.focal.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.io.TensorFile;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Views, globals, shared storages and byte orders as torch.save writes them, in the zip and the
 * legacy format, against the raw bits torch gives for every element; and torch.save files with
 * a few bytes changed to lie (lengths, keys, persistent ids, records), each refused with exit 3
 * and one whole line (tools/oracle/torch_oracle.py writes both; docs/formats.md#pytorch).
 */
class TorchOracleTest {
    private static final Path DIR = Path.of("src/test/resources/io/torch/oracle");

    private static JsonNode oracle() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("oracle.json").toFile()).get("files");
    }

    /** Each refused file and its line after "NAME: ". */
    private static final Map<String, String> REFUSED = refusals();

    private static Map<String, String> refusals() {
        Map<String, String> m = new LinkedHashMap<>();
        // torch 1.13 reads these, ignoring the record; focal knows only "little" and "big"
        m.put("middle_endian.pt", "byteorder record says 'middle', not little or big");
        m.put("long_byteorder.pt", "byteorder record of 17 bytes");
        // torch reads a deflated archive; torch.save never writes one, and focal maps records in place
        m.put("deflated.pt", "member archive/data.pkl: compressed or encrypted (method 8); torch.save stores its"
                + " records");
        m.put("no_data_pkl.pt", "no archive/data.pkl record: not a torch.save archive, or a truncated one");
        m.put("no_folder.pt", "zip member data.pkl is in no folder: not a torch.save archive");
        m.put("empty_zip.pt", "an empty zip archive, not a torch.save file");
        m.put("root_slash.pt", "zip member /archive/data.pkl is in no folder: not a torch.save archive");
        // torch reads the storage's bytes whatever count its persistent id declares; focal holds it to it
        m.put("numel_short.pt", "x: view (offset 0, sizes [4], strides [1]) reaches element 3 of storage '0', which"
                + " holds 3");
        m.put("numel_long.pt", "storage '0' holds 16 bytes, its 5 elements of float32 need 20");
        m.put("numel_huge.pt", "storage '0' holds 16 bytes, its 2305843009213693951 elements of float32 need"
                + " 9223372036854775804");
        m.put("numel_overflow.pt", "storage '0' holds 16 bytes, its 2305843009213693952 elements of float32 need"
                + " 9223372036854775807");
        m.put("wrong_magic_legacy.pt", "not a torch.save file: wrong magic number");
        m.put("protocol_1000_legacy.pt", "torch.save protocol int 1000, focal reads 1001");
        m.put("keys_not_a_list_legacy.pt", "storage keys are a dict, not a list");
        m.put("unnamed_key_legacy.pt", "storage 'ghost' is listed, but no tensor names it: its element size is"
                + " unknown");
        m.put("complex_legacy.pt", "storage 's0_______' is listed, but no tensor of a type focal reads uses it: its"
                + " element size is unknown");
        m.put("count_cut_legacy.pt", "truncated: file ends at byte 336 before storage 's0_______'");
        m.put("count_huge_legacy.pt", "truncated: storage 's0_______' declares 4611686018427387904 elements at byte"
                + " 331, the file has 16 bytes left");
        m.put("count_negative_legacy.pt", "truncated: storage 's0_______' declares -1 elements at byte 331, the file"
                + " has 16 bytes left");
        m.put("count_past_end_legacy.pt", "truncated: storage 's0_______' declares 5 elements at byte 331, the file"
                + " has 16 bytes left");
        m.put("count_short_legacy.pt", "storage 's0_______' holds 12 bytes, its 4 elements of float32 need 16");
        m.put("numel_lies_legacy.pt", "storage 's0_______' holds 16 bytes, its 5 elements of float32 need 20");
        m.put("pid_view_legacy.pt", "a view of a storage (written by PyTorch before 1.0) is not supported");
        return m;
    }

    @Test
    void everyFileIsReadAsTorchReadsItOrRefusedInOneLine() throws IOException {
        JsonNode files = oracle();
        List<String> names = new ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        try (var listing = Files.list(DIR)) {
            assertEquals(new TreeSet<>(names), listing.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("oracle.json")).collect(java.util.stream.Collectors.toCollection(TreeSet::new)),
                    "every file has its oracle");
        }
        int read = 0;
        for (String name : names) {
            JsonNode expected = files.get(name);
            String refusal = REFUSED.get(name);
            if (refusal != null) {
                FocalException e = assertThrows(FocalException.class, () -> {
                    try (TensorFile f = open(name)) {
                        f.keys().forEach(f::get);
                    }
                }, name);
                assertEquals(FocalException.INPUT, e.exitCode(), name);
                assertEquals(name + (refusal.startsWith("x: ") ? ":" : ": ") + refusal, e.getMessage());
                continue;
            }
            assertTrue(expected.has("members"), name + ": torch gave no values, so focal must refuse it");
            try (TensorFile f = open(name)) {
                checkMembers(name, expected.get("members"), f);
            }
            read++;
        }
        assertEquals(13, read, "files read");
        for (String name : REFUSED.keySet()) {
            assertTrue(files.has(name), name);
        }
        // Torch refuses these too, but for the records it ignores and the counts it does not check.
        for (String name : REFUSED.keySet()) {
            boolean torchReads = List.of("middle_endian.pt", "long_byteorder.pt", "deflated.pt", "complex_legacy.pt",
                    "numel_long.pt", "numel_huge.pt").contains(name);
            assertEquals(torchReads ? "ok" : "refused", files.get(name).get("torch").asText().replaceFirst(":.*", ""),
                    name);
        }
    }

    private static TensorFile open(String name) {
        return new TorchFormat().open(DIR.resolve(name), name);
    }

    private static void checkMembers(String file, JsonNode members, TensorFile f) {
        List<String> paths = new ArrayList<>();
        members.forEach(m -> paths.add(m.get("path").asText()));
        assertEquals(paths, f.keys(), file + ": members in order");
        for (JsonNode m : members) {
            String what = file + ":" + m.get("path").asText();
            Tensor t = f.get(m.get("path").asText());
            assertEquals(m.get("dtype").asText(), t.dtype().numpyName(), what);
            long[] shape = new long[m.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = m.get("shape").get(i).asLong();
            }
            assertArrayEquals(shape, t.shape().dims(), what);
            JsonNode bits = m.get("bits");
            assertEquals(bits.size(), t.count(), what);
            for (int i = 0; i < bits.size(); i++) {
                assertEquals(Long.parseUnsignedLong(bits.get(i).asText()), t.rawBits(i), what + "[" + i + "]");
            }
        }
    }

    /** A Fortran-ordered view is mapped as such; any other non-C view is copied into C order. */
    @Test
    void fortranViewsKeepTheirOrderAndOthersAreCopiedInCOrder() throws IOException {
        for (String name : List.of("views.pt", "views_legacy.pt")) {
            try (TensorFile f = open(name)) {
                assertTrue(f.get("fortran").fortranOrder(), name);
                assertTrue(f.get("half_t").fortranOrder(), name);
                assertTrue(f.get("fortran_offset").fortranOrder(), name);
                for (String c : List.of("permuted", "expanded", "column", "row", "cell", "stepped", "diagonal")) {
                    assertFalse(f.get(c).fortranOrder(), name + ":" + c);
                }
            }
        }
    }

    /** Tensors are mapped on get: after close there is no file to map them from. */
    @Test
    void closeReleasesTheFile() {
        for (String name : List.of("views.pt", "views_legacy.pt")) {
            TensorFile f = open(name);
            Tensor row = f.get("row");
            f.close();
            assertEquals(Double.doubleToRawLongBits(0.5), row.rawBits(0), "a tensor outlives close");
            FocalException e = assertThrows(FocalException.class, () -> f.get("fortran"));
            // Not a user's case (focal reads a file before it closes it): any one-line refusal will do.
            assertEquals(name.equals("views.pt") ? "views.pt: member archive/data/0: cannot read: ClosedChannelException"
                    : "views_legacy.pt:fortran: cannot read: ClosedChannelException", e.getMessage());
        }
        // A zip whose first record is not one torch.save writes is opened as one all the same.
        TensorFile extra = open("extra_first.pt");
        extra.close();
        FocalException e = assertThrows(FocalException.class, () -> extra.get("x"));
        assertEquals("extra_first.pt: member archive/data/0: cannot read: ClosedChannelException", e.getMessage());
    }

    /** The byte order only torch.save on a big-endian machine writes: the values are the same. */
    @Test
    void bigEndianFilesReadAsTheLittleEndianOnes() throws IOException {
        for (String name : List.of("big_endian.pt", "big_endian_legacy.pt")) {
            try (TensorFile big = open(name); TensorFile little = open("little_record.pt")) {
                assertEquals(little.keys(), big.keys());
                for (String k : big.keys()) {
                    Tensor b = big.get(k);
                    Tensor l = little.get(k);
                    long[] bb = new long[(int) b.count()];
                    long[] lb = new long[(int) l.count()];
                    Arrays.setAll(bb, i -> b.rawBits(i));
                    Arrays.setAll(lb, i -> l.rawBits(i));
                    assertArrayEquals(lb, bb, name + ":" + k);
                }
            }
        }
    }
}
