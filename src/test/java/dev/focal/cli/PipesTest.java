package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that are pipes (docs/commands.md#pipes): {@code -}, {@code /dev/stdin}, process
 * substitution and FIFOs work for every verb and every format, as the same file does, and the
 * copy they are read from is gone afterwards. A real shell makes the pipes.
 */
@Tag("process")
class PipesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RES = Path.of("src/test/resources");

    @TempDir
    Path tmp;

    /** Runs {@code script} in bash, where {@code focal} is focal in a child JVM whose temporary files go to tmp/spool. */
    private ChildJvm.Result bash(String script) throws IOException, InterruptedException {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        String focal = ChildJvm.javaCommand(List.of("-Djava.io.tmpdir=" + spool)).stream().map(ChildJvm::quote)
                .collect(Collectors.joining(" "));
        return ChildJvm.exec(List.of("bash", "-c", "focal() { " + focal + " \"$@\"; }\n" + script));
    }

    private void assertNoSpoolLeft() throws IOException {
        try (Stream<Path> left = Files.list(tmp.resolve("spool"))) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** inspect --json's objects without their names, which differ between a file and its pipe. */
    private static List<JsonNode> unnamed(String json) throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode e : JSON.readTree(json)) {
            ((ObjectNode) e).remove("name");
            entries.add(e);
        }
        return entries;
    }

    @TestFactory
    Stream<DynamicTest> everyFormatReadsFromStandardInputAsFromTheFile() {
        return Stream.of("io/npy/c_3d_f8.npy", "io/npz/savez_compressed.npz", "io/npz/zip64.npz",
                "io/json/bundle.json", "io/json/typed_float32_flat.json", "io/safetensors/names.safetensors")
                .map(f -> DynamicTest.dynamicTest(f, () -> {
                    String file = ChildJvm.quote(RES.resolve(f).toString());
                    ChildJvm.Result direct = bash("focal inspect --json " + file);
                    ChildJvm.Result piped = bash("cat " + file + " | focal inspect --json -");
                    assertEquals(0, direct.code, direct.toString());
                    assertEquals(0, piped.code, piped.toString());
                    assertEquals(unnamed(direct.out), unnamed(piped.out));
                    for (JsonNode e : JSON.readTree(piped.out)) {
                        assertTrue(e.get("name").asText().matches("(?s)-(:.*)?"), piped.out);
                    }
                    assertNoSpoolLeft();
                }));
    }

    @Test
    void devStdinAndProcessSubstitutionAreReadLikeFiles() throws IOException, InterruptedException {
        String npy = ChildJvm.quote(RES.resolve("io/npy/c_3d_f8.npy").toString());
        ChildJvm.Result r = bash("cat " + npy + " | focal inspect /dev/stdin && focal compare --equal-nan <(cat " + npy + ") "
                + npy);
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("name"), r.out);
        assertTrue(r.out.contains("close"), r.out);
        assertNoSpoolLeft();
    }

    @Test
    void aFifoFeedsEvalAndConvert() throws IOException, InterruptedException {
        JsonNode manifest = JSON.readTree(RES.resolve("io/safetensors/manifest.json").toFile());
        String bundle = ChildJvm.quote(RES.resolve("io/safetensors/eval.safetensors").toString());
        Path fifo = tmp.resolve("dump.fifo");
        Path out = tmp.resolve("logits.npy");
        ChildJvm.Result r = bash("mkfifo " + fifo + " && (cat " + bundle + " > " + fifo + " &) && focal eval "
                + fifo + " --json && (cat " + bundle + " > " + fifo + " &) && focal convert " + fifo + ":logits "
                + out);
        assertEquals(0, r.code, r.toString());
        double sum = JSON.readTree(r.out).get("loss").get("sum").asDouble();
        double want = manifest.get("eval").get("loss_sum").asDouble();
        assertEquals(want, sum, 1e-12 * want, r.out);
        assertEquals(JSON.readTree(bash("focal inspect --json " + out).out).get(0).get("count").asLong(),
                manifest.get("eval").get("shape").get(0).asLong() * manifest.get("eval").get("shape").get(1).asLong()
                        * manifest.get("eval").get("shape").get(2).asLong());
        assertNoSpoolLeft();
    }

    @Test
    void standardInputNamedTwiceIsAUsageError() throws IOException, InterruptedException {
        String npy = ChildJvm.quote(RES.resolve("io/npy/c_3d_f8.npy").toString());
        ChildJvm.Result r = bash("cat " + npy + " | focal compare - /dev/stdin");
        assertEquals(2, r.code, r.toString());
        assertEquals("focal: standard input is named by 2 inputs (-, /dev/stdin); a pipe can be read once, so give it"
                + " to one input (a bundle's members are found in it: focal eval -)\n", r.err);
    }

    @Test
    void aDeviceIsRefused() throws IOException, InterruptedException {
        ChildJvm.Result r = bash("focal inspect /dev/zero");
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: /dev/zero: is a device, not a file or a pipe\n", r.err);
    }
}
