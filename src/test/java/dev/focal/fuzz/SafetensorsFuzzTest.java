package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the .safetensors reader through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/safetensors (the fixtures the safetensors package wrote, and the hostile
 * files) run with the normal suite; {@code tools/fuzz.sh safetensors MINUTES} fuzzes.
 */
class SafetensorsFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"{\"", "\":{\"dtype\":\"", "\",\"shape\":[", "],\"data_offsets\":[", "]}", "\"__metadata__\":{",
        "F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "C64", "9223372036854775807", "18446744073709551615"})
    void fuzzSafetensors(byte[] data) {
        FuzzHarness.check(data, ".safetensors");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("safetensors", ".safetensors");
    }
}
