package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the .json reader through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/json run with the normal suite; {@code tools/fuzz.sh json MINUTES} fuzzes.
 */
class JsonFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data\"", "\"float32\"", "\"float16\"", "\"int8\"",
        "\"uint64\"", "\"bool\"", "NaN", "Infinity", "-Infinity", "true", "false", "null", "18446744073709551615",
        "1e308", "[[", "]]", "{\"a\": "})
    void fuzzJson(byte[] data) {
        FuzzHarness.check(data, ".json");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("json", ".json");
    }
}
