package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectAndConvertTest {
    static final Path NPY = Path.of("src/test/resources/io/npy");
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    Path tmp;

    @Test
    void inspectJsonReportsNumpyStatistics() throws IOException {
        // le_float16.npy holds NaN, +inf, -inf among numpy-written values (see npy_fixtures.py).
        Cli r = Cli.run("inspect", "--json", NPY.resolve("le_float16.npy").toString(),
                NPY.resolve("f_int64.npy").toString());
        assertEquals(0, r.code, r.toString());
        JsonNode list = JSON.readTree(r.out);
        assertEquals(2, list.size());
        JsonNode half = list.get(0);
        assertEquals("float16", half.get("dtype").asText());
        assertEquals("[3,4]", half.get("shape").toString());
        assertEquals(12, half.get("count").asLong());
        assertEquals(1, half.get("nan").asLong());
        assertEquals(1, half.get("posinf").asLong());
        assertEquals(1, half.get("neginf").asLong());
        assertEquals(Double.NEGATIVE_INFINITY, half.get("min").asDouble());
        assertEquals(Double.POSITIVE_INFINITY, half.get("max").asDouble());
        JsonNode ints = list.get(1);
        assertTrue(ints.get("fortran_order").asBoolean());
        // values[0] and [1] are int64's min and max (the generator plants them).
        assertEquals(Long.MIN_VALUE, ints.get("min").asLong());
        assertEquals(Long.MAX_VALUE, ints.get("max").asLong());
    }

    @Test
    void inspectTableNamesEveryFileAndReportsTheBadOne() {
        Cli r = Cli.run("inspect", NPY.resolve("scalar_f8.npy").toString(), "missing.npy");
        assertEquals(3, r.code);
        assertTrue(r.out.contains("scalar_f8.npy  float64  ()"), r.out);
        assertTrue(r.out.contains("3.25"), r.out);
        assertEquals("focal: missing.npy: no such file\n", r.err);
    }

    @Test
    void convertFortranBigEndianToNumpyCanonicalBytes() throws IOException {
        Path out = tmp.resolve("out.npy");
        Cli r = Cli.run("convert", NPY.resolve("f_big_endian_f8.npy").toString(), out.toString());
        assertEquals(0, r.code, r.toString());
        assertArrayEquals(Files.readAllBytes(NPY.resolve("canonical_f_big_endian_f8.npy")), Files.readAllBytes(out));
    }

    /** numpy has no bfloat16: .npy gets what np.save writes for torch's t.float().numpy() (bfloat16_fixtures.py). */
    @Test
    void bfloat16WidensToFloat32ForNpyAndSaysSo() throws IOException {
        Path in = Path.of("src/test/resources/tensor/bfloat16.json");
        Path out = tmp.resolve("out.npy");
        Cli r = Cli.run("convert", in.toString(), out.toString());
        assertEquals(0, r.code, r.toString());
        assertArrayEquals(Files.readAllBytes(in.resolveSibling("bfloat16_as_float32.npy")), Files.readAllBytes(out));
        assertEquals("focal: note: " + in + " is bfloat16, which out.npy's format lacks: written as float32,"
                + " every value exact\n", r.err);
        Cli inspect = Cli.run("inspect", "--json", in.toString());
        assertEquals("bfloat16", JSON.readTree(inspect.out).get(0).get("dtype").asText(), inspect.toString());
        Path json = tmp.resolve("out.json");
        Cli back = Cli.run("convert", in.toString(), json.toString());
        assertEquals("", back.err, "JSON keeps bfloat16");
        assertEquals("bfloat16", JSON.readTree(Files.readString(json)).get("dtype").asText());
        Path again = tmp.resolve("again.npy");
        assertEquals(0, Cli.run("convert", json.toString(), again.toString()).code);
        assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(again), "the JSON holds the same values");
    }

    @Test
    void failedConvertLeavesExistingOutputUntouched() throws IOException {
        Path out = tmp.resolve("keep.npy");
        Files.writeString(out, "precious");
        Cli r = Cli.run("convert", "src/test/resources/bad/npy/truncated_data.npy", out.toString());
        assertEquals(3, r.code);
        assertTrue(r.err.startsWith("focal: src/test/resources/bad/npy/truncated_data.npy: truncated"), r.err);
        assertEquals("precious", Files.readString(out));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void convertRefusesToOverwriteItsInput() throws IOException {
        Path in = tmp.resolve("in.npy");
        Files.copy(NPY.resolve("vec_f4.npy"), in);
        byte[] before = Files.readAllBytes(in);
        Cli r = Cli.run("convert", in.toString(), in.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("is the input file"), r.err);
        assertArrayEquals(before, Files.readAllBytes(in));
    }

    @Test
    void convertRefusesUnknownOutputFormatAndDirectories() {
        Cli r = Cli.run("convert", NPY.resolve("vec_f4.npy").toString(), tmp.resolve("x.csv").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("name the file .npy, .json or .safetensors"), r.err);
        Cli d = Cli.run("convert", NPY.resolve("vec_f4.npy").toString(), tmp.toString() + "/");
        assertEquals(2, d.code, d.toString());
    }

    @Test
    void unwritableDirectoryIsAnOutputError() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "");
        Cli r = Cli.run("convert", NPY.resolve("vec_f4.npy").toString(), file.resolve("dir/x.npy").toString());
        assertEquals(4, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: " + file.resolve("dir/x.npy") + ": cannot "), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
        Cli created = Cli.run("convert", NPY.resolve("vec_f4.npy").toString(), tmp.resolve("new/dir/x.npy").toString());
        assertEquals(0, created.code, "missing folders are created\n" + created);
        assertFalse(r.err.contains("Exception"), r.err);
    }

    @Test
    void usageErrorsAreOneLineWithExitTwo() {
        Cli r = Cli.run("inspect", "--bogus", "x.npy");
        assertEquals(2, r.code);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("focal: Unknown option: '--bogus'"), r.err);
        assertEquals(2, Cli.run().code);
        assertEquals(2, Cli.run("frobnicate").code);
    }

    @Test
    void memberKeysFromTheFileCannotDriveTheTerminal() throws IOException {
        Path bundle = tmp.resolve("hostile.json");
        Files.writeString(bundle, "{\"a\\u001b[2Jb\": [1.5]}");
        Cli r = Cli.run("inspect", bundle.toString());
        assertEquals(0, r.code, r.toString());
        assertFalse(r.out.contains("\u001b"), r.out);
        assertTrue(r.out.contains(bundle + ":a\\x1b[2Jb"), r.out);
    }

    @Test
    void debugShowsTheStackTrace() {
        Cli r = Cli.run("inspect", "--debug", "missing.npy");
        assertEquals(3, r.code);
        assertTrue(r.err.contains("at dev.focal."), r.err);
    }
}
