package dev.focal.cli;

import static dev.focal.cli.NpyFiles.header;
import static dev.focal.cli.NpyFiles.sparse;
import static dev.focal.cli.RunOutcome.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: huge inputs work on a small heap (docs/guarantees.md), and what the heap cannot
 * hold is refused with advice, not a crash. Inputs over 2 GiB without writing gigabytes (sparse
 * files), each run in a child JVM with a 64 or 256 MiB heap.
 */
@Tag("process")
class SmallHeapTest {
    @TempDir
    Path tmp;

    /**
     * Hostile pickles and torch.save files (deep nesting, shared containers walked 2^60 times,
     * huge declared lengths) are each one line and exit 3 on a 256 MiB heap: no OutOfMemoryError,
     * no stack overflow (docs/formats.md#limits).
     */
    @Test
    void hostilePicklesAreRefusedOnA256MiBHeap() throws Exception {
        List<String> files;
        try (Stream<Path> s = Stream.concat(Files.list(BadInputTest.BAD.resolve("pickle")),
                Files.list(BadInputTest.BAD.resolve("torch")))) {
            files = s.map(Path::toString).sorted().collect(Collectors.toList());
        }
        List<String> args = new java.util.ArrayList<>(List.of("inspect"));
        args.addAll(files);
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), args.toArray(new String[0]));
        assertEquals(3, r.code, r.toString());
        assertEquals(files.size(), r.err.lines().count(), r.err);
        for (String line : r.err.lines().collect(Collectors.toList())) {
            assertTrue(line.startsWith("focal: src/test/resources/bad/") && !line.contains("memory"), line);
        }
    }

    /** The bar: an input over 2 GiB evaluates with a 256 MiB heap (all zeros: the loss is known). */
    @Test
    void anInputOverTwoGibibytesEvaluatesWithA256MiBHeap() throws Exception {
        long n = (1L << 28) + 8; // float64: 2 GiB + 64 bytes of data
        Path file = tmp.resolve("zeros.npy");
        byte[] header = header("<f8", n);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + 8 * n);
        }
        assertTrue(Files.size(file) > (2L << 30));
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", file.toString(),
                "--targets", file.toString(), "--json");
        assertEquals(0, r.code, r.toString());
        com.fasterxml.jackson.databind.JsonNode s = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(r.out);
        assertEquals(n, s.get("anchors").get("total").asLong(), r.out);
        // x = 0, t = 0: (1 - alpha) * 0.5^gamma * log(2) for every element
        double each = 0.75 * 0.25 * Math.log(2);
        assertEquals(each, s.get("loss").get("mean").asDouble(), each * 1e-12, r.out);
        assertEquals(each * n, s.get("loss").get("sum").asDouble(), each * n * 1e-12, r.out);
    }

    /**
     * Labels mode streams too: 200M elements of zero logits and int32 labels, mostly background,
     * with positives and ignored anchors at known places, evaluate with a 256 MiB heap (the
     * derived targets and weights alone would take 1 GB). At x = 0 every element's loss is
     * a * 0.5^2 * log(2) * w, so a sample's sum is 0.25 log(2) w (1.75 P + 2.25 N) for P
     * positive and N negative anchors, w being 1 / max(P, 1) in float32.
     */
    @Test
    void labelsModeOnTwoHundredMillionElementsEvaluatesWithA256MiBHeap() throws Exception {
        LabelledHead head = new LabelledHead(tmp);
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", head.logits.toString(),
                "--labels", head.labels.toString(), "--num-classes", "3", "--json");
        assertEquals(0, r.code, r.toString());
        com.fasterxml.jackson.databind.JsonNode s = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(r.out);
        long anchors = LabelledHead.SAMPLES * LabelledHead.ANCHORS;
        long positives = head.positives[0] + head.positives[1];
        long ignored = head.ignored[0] + head.ignored[1];
        assertEquals(anchors, s.get("anchors").get("total").asLong(), r.out);
        assertEquals(positives, s.get("anchors").get("positive").asLong(), r.out);
        assertEquals(ignored, s.get("anchors").get("ignored").asLong(), r.out);
        assertEquals(anchors - positives - ignored, s.get("anchors").get("negative").asLong(), r.out);
        double sum = 0;
        for (int b = 0; b < LabelledHead.SAMPLES; b++) {
            com.fasterxml.jackson.databind.JsonNode sample = s.get("per_sample").get(b);
            long negatives = LabelledHead.ANCHORS - head.positives[b] - head.ignored[b];
            assertEquals(head.positives[b], sample.get("positives").asLong(), r.out);
            assertEquals(negatives, sample.get("negatives").asLong(), r.out);
            assertEquals(head.ignored[b], sample.get("ignored").asLong(), r.out);
            assertEquals(Math.max(head.positives[b], 1), sample.get("normalizer").asDouble(), r.out);
            double loss = 0.25 * Math.log(2) * head.weight(b) * (1.75 * head.positives[b] + 2.25 * negatives);
            assertEquals(loss, sample.get("loss_sum").asDouble(), loss * 1e-12, r.out);
            sum += loss;
        }
        assertEquals(sum, s.get("loss").get("sum").asDouble(), sum * 1e-12, r.out);
        double mean = sum / (anchors * LabelledHead.CLASSES);
        assertEquals(mean, s.get("loss").get("mean").asDouble(), mean * 1e-12, r.out);
        for (int c = 0; c < LabelledHead.CLASSES; c++) {
            assertEquals(head.classPositives[c], s.get("per_class").get(c).get("positives").asLong(), r.out);
        }
    }

    /** --write-weights to .npy goes straight to disk: 267 MB of weights written with a 256 MiB heap. */
    @Test
    void labelsModeWritesItsWeightsToNpyWithA256MiBHeap() throws Exception {
        LabelledHead head = new LabelledHead(tmp);
        Path weights = tmp.resolve("weights.npy");
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx256m"), "eval", "--logits", head.logits.toString(),
                "--labels", head.labels.toString(), "--num-classes", "3", "--write-weights", weights.toString());
        assertEquals(0, r.code, r.toString());
        byte[] header = header("<f4", LabelledHead.SAMPLES, LabelledHead.ANCHORS);
        try (FileChannel ch = FileChannel.open(weights)) {
            assertEquals(header.length + 4 * LabelledHead.SAMPLES * LabelledHead.ANCHORS, ch.size());
            ByteBuffer h = ByteBuffer.allocate(header.length);
            ch.read(h, 0);
            assertArrayEquals(header, h.array());
            // Each sample's weights: 1 / max(P, 1) for its positive and negative anchors, 0 for the ignored.
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long at = header.length;
            for (int b = 0; b < LabelledHead.SAMPLES; b++) {
                long cared = 0;
                long zeros = 0;
                for (long left = LabelledHead.ANCHORS; left > 0; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), 4 * left));
                    while (buf.hasRemaining()) {
                        at += ch.read(buf, at);
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        float w = buf.getFloat();
                        cared += w == head.weight(b) ? 1 : 0;
                        zeros += Float.floatToRawIntBits(w) == 0 ? 1 : 0;
                        left--;
                    }
                }
                assertEquals(LabelledHead.ANCHORS - head.ignored[b], cared, "sample " + b);
                assertEquals(head.ignored[b], zeros, "sample " + b);
            }
        }
    }

    /** A JSON output is built on the heap: one the heap cannot hold is exit 4 with advice, nothing written. */
    @Test
    void aJsonOutputTooBigForTheHeapIsRefusedWithAdvice() throws Exception {
        Path logits = tmp.resolve("logits.npy");
        Path labels = tmp.resolve("labels.npy");
        long anchors = 8_000_000; // targets 96 MB as float32, over the whole heap
        sparse(logits, header("<f4", 1, anchors, 3), 12 * anchors);
        sparse(labels, header("<i4", 1, anchors), 4 * anchors);
        Path targets = tmp.resolve("targets.json");
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx64m"), "eval", "--logits", logits.toString(),
                "--labels", labels.toString(), "--num-classes", "3", "--write-targets", targets.toString());
        assertEquals(4, r.code, r.toString());
        assertOneLine(r.err);
        assertTrue(r.err.startsWith("focal: " + targets + ": 24000000 values are too many for a JSON output"),
                r.err);
        assertTrue(r.err.contains("name it .npy") && r.err.contains("JAVA_OPTS=-Xmx8g"), r.err);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(Set.of(logits, labels), left.collect(Collectors.toSet()));
        }
    }

    /** Running out of heap anywhere is the input's size, not a bug: exit 3 with advice, not 70. */
    @Test
    void runningOutOfMemoryIsAnInputErrorWithAdvice() throws Exception {
        // --top keeps K elements in each range's heap of candidates: 10^8 of them do not fit 64 MiB.
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx64m"), "eval", "samples/anchor_head.npz",
                "--top", "100000000");
        assertEquals(3, r.code, r.toString());
        assertOneLine(r.err);
        assertTrue(r.err.startsWith("focal: out of memory: this run needs more than the JVM's "), r.err);
        assertTrue(r.err.contains("JAVA_OPTS=-Xmx8g") && r.err.contains(".npy"), r.err);
    }

    /** JSON is read onto the heap: a document the heap cannot hold is refused before it is, with exit 3. */
    @Test
    void aJsonTensorTooBigForTheHeapIsRefusedBeforeAllocating() throws Exception {
        Path file = tmp.resolve("big.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write('[');
            byte[] zeros = "0, ".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 48; i++) { // 3 Mi values, 9 MiB of text
                out.write(zeros);
            }
            out.write("0]\n".getBytes(StandardCharsets.US_ASCII));
        }
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-Xmx64m"), "inspect", file.toString());
        assertEquals(3, r.code, r.toString());
        assertOneLine(r.err);
        assertTrue(r.err.startsWith("focal: " + file + ": holds over 2097152 values; reading more from JSON"
                + " needs over 64 MiB of heap, more than the "), r.err);
        assertTrue(r.err.contains("convert the file to .npy"), r.err);
    }

    /**
     * An anchor head of 200M elements in sparse files: float32 logits (B, A, C) all zero, and int32
     * labels (B, A), background but for positives and ignored anchors written at known places.
     */
    static final class LabelledHead {
        static final int SAMPLES = 2;
        static final long ANCHORS = 33_333_334;
        static final int CLASSES = 3;
        final Path logits;
        final Path labels;
        final long[] positives = {1000, 3};
        final long[] ignored = {500, 7};
        final long[] classPositives = new long[CLASSES];

        LabelledHead(Path dir) throws IOException {
            logits = dir.resolve("logits.npy");
            labels = dir.resolve("labels.npy");
            sparse(logits, header("<f4", SAMPLES, ANCHORS, CLASSES), 4L * SAMPLES * ANCHORS * CLASSES);
            byte[] header = header("<i4", SAMPLES, ANCHORS);
            sparse(labels, header, 4L * SAMPLES * ANCHORS);
            try (FileChannel ch = FileChannel.open(labels, StandardOpenOption.WRITE)) {
                for (int b = 0; b < SAMPLES; b++) {
                    // Spread over the sample, 30,001 anchors apart; the ignored ones next to them.
                    for (int k = 0; k < positives[b]; k++) {
                        int label = b == 0 ? 1 + k % CLASSES : CLASSES;
                        classPositives[label - 1]++;
                        put(ch, header.length, b * ANCHORS + 30_001L * k, label);
                    }
                    for (int k = 0; k < ignored[b]; k++) {
                        put(ch, header.length, b * ANCHORS + 30_001L * k + 1, -1);
                    }
                }
            }
        }

        private static void put(FileChannel ch, int headerBytes, long anchor, int label) throws IOException {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, label), headerBytes + 4 * anchor);
        }

        /** A cared anchor's weight in sample b: the head divides 1 by max(P, 1) in float32. */
        float weight(int b) {
            return 1f / Math.max(positives[b], 1);
        }
    }
}
