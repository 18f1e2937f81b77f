package dev.focal.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads what the safetensors package wrote (tools/fixtures/safetensors_fixtures.py) and checks
 * it against what the package read back; writes the same tensors and checks the package's bytes.
 */
class SafetensorsFileTest {
    static final Path DIR = Path.of("src/test/resources/io/safetensors");
    private static final Map<String, Double> WORDS = Map.of("nan", Double.NaN, "inf", Double.POSITIVE_INFINITY,
            "-inf", Double.NEGATIVE_INFINITY);

    static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
    }

    private static List<String> fileNames(JsonNode files) {
        List<String> names = new ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @TestFactory
    Stream<DynamicTest> everyTensorReadsAsThePackageReadsIt() throws IOException {
        JsonNode files = manifest().get("files");
        return fileNames(files).stream().map(file -> DynamicTest.dynamicTest(file, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve(file), file)) {
                JsonNode expected = files.get(file);
                List<String> keys = new ArrayList<>();
                expected.get("tensors").forEach(t -> keys.add(t.get("key").asText()));
                assertEquals(keys.stream().sorted().toList(), f.keys().stream().sorted().toList(), file);
                for (JsonNode t : expected.get("tensors")) {
                    assertMatches(t, f.get(t.get("key").asText()));
                }
                Map<String, String> metadata = new LinkedHashMap<>();
                expected.get("metadata").properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                assertEquals(metadata, f.metadata(), file);
            }
        }));
    }

    /** dtype, shape and every value, bit for bit (floats through their exact float64 value). */
    private static void assertMatches(JsonNode expected, Tensor t) {
        String what = expected.get("key").asText();
        assertEquals(SafetensorsDType.named(expected.get("dtype").asText()).focal(), t.dtype(), what);
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, t.shape().dims(), what);
        JsonNode values = expected.get("values");
        assertEquals(values.size(), t.count(), what);
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).asText();
            String at = what + "[" + i + "] should be " + v;
            if (t.dtype().isFloat()) {
                double want = WORDS.containsKey(v) ? WORDS.get(v) : Double.parseDouble(v);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(t.getDouble(i)), at);
            } else if (t.dtype() == DType.BOOL) {
                assertEquals(v.equals("true") ? 1 : 0, t.getLong(i), at);
            } else if (t.dtype() == DType.UINT64) {
                assertEquals(Long.parseUnsignedLong(v), t.getLong(i), at);
            } else {
                assertEquals(Long.parseLong(v), t.getLong(i), at);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> writingTheSameTensorsGivesThePackagesBytes() throws IOException {
        List<String> files = new ArrayList<>();
        manifest().get("byte_identical").forEach(n -> files.add(n.asText()));
        return files.stream().map(file -> DynamicTest.dynamicTest(file, () -> {
            byte[] theirs = Files.readAllBytes(DIR.resolve(file));
            try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve(file), file)) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String key : f.keys()) {
                    tensors.put(key, f.get(key));
                }
                ByteArrayOutputStream ours = new ByteArrayOutputStream();
                SafetensorsWriter.write(tensors, f.metadata(), ours);
                assertEquals(new String(theirs, 0, header(theirs), java.nio.charset.StandardCharsets.UTF_8),
                        new String(ours.toByteArray(), 0, header(ours.toByteArray()),
                                java.nio.charset.StandardCharsets.UTF_8), file + ": header");
                assertArrayEquals(theirs, ours.toByteArray(), file);
            }
        }));
    }

    private static int header(byte[] file) {
        return (int) Math.min(file.length, 8 + java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong(0));
    }

    /** focal's cap on the number of tensors (docs/commands.md#safetensors), hit while the header is parsed. */
    @Test
    void aHeaderOfTooManyTensorsIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i <= SafetensorsHeader.MAX_TENSORS; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],"
                    + "\"data_offsets\":[0,0]}");
        }
        byte[] text = h.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = tmp.resolve("many.safetensors");
        Files.write(file, java.nio.ByteBuffer.allocate(8 + text.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(text.length).put(text).array());
        FocalException e = assertThrows(FocalException.class, () -> SafetensorsFile.open(file, "many"));
        assertEquals("many: holds over 100000 tensors, focal's limit", e.getMessage());
    }

    @Test
    void aTensorOfADtypeFocalDoesNotReadSpoilsOnlyItself() throws IOException {
        Path bad = Path.of("src/test/resources/bad/safetensors/float8.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(bad, "f8")) {
            assertEquals(List.of("a"), f.keys());
            FocalException e = assertThrows(FocalException.class, () -> f.get("a"));
            assertEquals(FocalException.INPUT, e.exitCode());
            assertEquals("f8:a: unsupported dtype F8_E4M3; focal reads " + SafetensorsDType.READABLE, e.getMessage());
        }
    }
}
