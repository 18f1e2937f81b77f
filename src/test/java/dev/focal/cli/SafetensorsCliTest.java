package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb on .safetensors files (docs/commands.md#safetensors), against what the safetensors
 * package, numpy and torch wrote or computed (tools/fixtures/safetensors_fixtures.py).
 */
class SafetensorsCliTest {
    static final Path DIR = Path.of("src/test/resources/io/safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String file(String name) {
        return DIR.resolve(name).toString();
    }

    private static JsonNode manifest() throws IOException {
        return JSON.readTree(DIR.resolve("manifest.json").toFile());
    }

    @Test
    void evalOfABundleGivesTorchsLoss() throws IOException {
        JsonNode want = manifest().get("eval");
        Cli r = Cli.run("eval", file("eval.safetensors"), "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode s = JSON.readTree(r.out);
        double sum = want.get("loss_sum").asDouble();
        assertEquals(sum, s.get("loss").get("sum").asDouble(), sum * 1e-12, r.out);
        double perBatch = want.get("per_batch").asDouble();
        assertEquals(perBatch, s.get("loss").get("per_batch").asDouble(), perBatch * 1e-12, r.out);
        assertEquals(want.get("shape"), s.get("shape"), r.out);
    }

    /** The dense head's names at the top level select labels mode, as in an .npz. */
    @Test
    void aBundleOfClsPredsAndBoxClsLabelsIsLabelsMode() {
        Cli bundle = Cli.run("eval", file("labels.safetensors"), "--num-classes", "3", "--json");
        Cli named = Cli.run("eval", "--logits", file("labels.safetensors") + ":cls_preds", "--labels",
                file("labels.safetensors") + ":box_cls_labels", "--num-classes", "3", "--json");
        assertEquals(0, bundle.code, bundle.toString());
        assertEquals(0, named.code, named.toString());
        assertEquals(named.out.replace(":cls_preds", "").replace(":box_cls_labels", ""),
                bundle.out.replace(":cls_preds", "").replace(":box_cls_labels", ""));
    }

    @Test
    void inspectShowsTheMetadata() throws IOException {
        Cli r = Cli.run("inspect", file("metadata_many.safetensors"));
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.endsWith("\n__metadata__ of " + file("metadata_many.safetensors") + ":\n  empty: \n"
                + "  format: pt\n  note: line\\nbreak \"quoted\"\n"), r.out);
        Cli j = Cli.run("inspect", "--json", file("metadata_many.safetensors"));
        JsonNode entry = JSON.readTree(j.out).get(0);
        assertEquals(file("metadata_many.safetensors") + ":w", entry.get("name").asText());
        assertEquals("line\nbreak \"quoted\"", entry.get("metadata").get("note").asText());
        assertEquals(3, entry.get("metadata").size());
    }

    @Test
    void compareAcceptsAnyPairOfFormats() {
        Cli r = Cli.run("compare", file("eval.safetensors") + ":logits", file("eval_logits.npy"));
        assertEquals(0, r.code, r.toString());
        Cli npz = Cli.run("compare", file("bundle.npz") + ":weights", file("bundle_npz.safetensors") + ":weights");
        assertEquals(0, npz.code, npz.toString());
    }

    @Test
    void convertToNpyGivesWhatNumpySaves() throws IOException {
        Path out = tmp.resolve("logits.npy");
        Cli r = Cli.run("convert", file("eval.safetensors") + ":logits", out.toString());
        assertEquals(0, r.code, r.toString());
        assertArrayEquals(Files.readAllBytes(DIR.resolve("eval_logits.npy")), Files.readAllBytes(out));
    }

    /** Byte for byte what safetensors' save_file writes: a bundle, a single tensor under its name, metadata. */
    @Test
    void convertToSafetensorsGivesThePackagesBytes() throws IOException {
        String[][] cases = {
            {"bundle.npz", "bundle_npz.safetensors"},
            {"eval_logits.npy", "eval_logits.safetensors"},
            {"names.safetensors", "names.safetensors"},
            {"metadata_many.safetensors", "metadata_many.safetensors"},
            {"dtypes.safetensors", "dtypes.safetensors"},
        };
        for (String[] c : cases) {
            Path out = tmp.resolve(c[1]);
            Cli r = Cli.run("convert", file(c[0]), out.toString());
            assertEquals(0, r.code, c[0] + ": " + r);
            assertArrayEquals(Files.readAllBytes(DIR.resolve(c[1])), Files.readAllBytes(out), c[0]);
        }
        Path one = tmp.resolve("one.safetensors");
        Cli r = Cli.run("convert", file("bundle_npz.safetensors") + ":labels", one.toString());
        assertEquals(0, r.code, r.toString());
        Cli back = Cli.run("inspect", "--json", one.toString());
        assertEquals(one + ":labels", JSON.readTree(back.out).get(0).get("name").asText(), back.out);
    }

    /** A safetensors file over 2 GiB is mapped, not read: evaluated with a 256 MiB heap. */
    @Test
    @Tag("process")
    void anInputOverTwoGibibytesEvaluatesWithA256MiBHeap() throws Exception {
        long n = (1L << 28) + 8; // float32 logits and targets: 2 GiB + 64 bytes
        String header = "{\"logits\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[0," + 4 * n
                + "]},\"targets\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[" + 4 * n + "," + 8 * n
                + "]}}";
        Path file = sparse(header, 8 * n);
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), "eval", file.toString(), "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode s = JSON.readTree(r.out);
        // x = 0, t = 0: (1 - alpha) * 0.5^gamma * log(2) for every element
        double each = 0.75 * 0.25 * Math.log(2);
        assertEquals(each * n, s.get("loss").get("sum").asDouble(), each * n * 1e-12, r.out);
    }

    /** The heap a header would take is checked before it is read: a 100 MB header on a 256 MiB heap. */
    @Test
    @Tag("process")
    void aHeaderTooBigForTheHeapIsRefusedBeforeItIsRead() throws Exception {
        Path file = tmp.resolve("big_header.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_000).array());
            raf.setLength(8 + 100_000_000);
        }
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), "inspect", file.toString());
        assertEquals(3, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: " + file + ": header of 100000000 bytes needs up to 572 MiB of heap,"),
                r.err);
    }

    private Path sparse(String header, long dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) & ~7;
        Path file = tmp.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            raf.write(h);
            raf.write(" ".repeat(padded - h.length).getBytes(StandardCharsets.US_ASCII));
            raf.setLength(8 + padded + dataBytes);
        }
        return file;
    }
}
