package dev.focal.io.json;

import static dev.focal.io.ReaderLimitsTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits the JSON reader checks before it spends memory. */
class JsonLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void aJsonBundleOfTooManyKeysIsRefusedWhileItsOutlineIsRead() throws IOException {
        Path p = tmp.resolve("keys.json");
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write('{');
            for (int i = 0; i <= JsonReader.Outline.MAX_KEYS; i++) {
                w.write((i == 0 ? "" : ", ") + "\"k" + i + "\": [" + i + "]");
            }
            w.write("}\n");
        }
        assertEquals(p + ": holds over 100000 keys, more than focal reads from a JSON bundle",
                refused(p.toString()).getMessage());
    }

    /** A typed member's dtype text counts with the keys. */
    @Test
    void aJsonBundleOfTooLongADtypeIsRefused() throws IOException {
        Path p = tmp.resolve("long_dtype.json");
        Files.writeString(p, "{\"a\": {\"dtype\": \"" + "x".repeat(1 << 20) + "\", \"data\": [1]}}\n");
        assertEquals(p + ":a: its keys and dtypes run over 1048576 characters, more than focal reads from a JSON bundle",
                refused(p.toString()).getMessage());
    }

    @Test
    void aJsonBundleOfTooLongKeysIsRefused() throws IOException {
        Path p = tmp.resolve("long_keys.json");
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write('{');
            for (int i = 0; i < 30; i++) { // 30 keys of 40000 characters: under Jackson's 50000 each
                w.write((i == 0 ? "" : ", ") + "\"" + i + "x".repeat(40_000) + "\": [1]");
            }
            w.write("}\n");
        }
        assertEquals(p + ": its keys and dtypes run over 1048576 characters, more than focal reads from a JSON bundle",
                refused(p.toString()).getMessage());
    }

}
