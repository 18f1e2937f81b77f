package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the .npy reader through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/npy run with the normal suite; {@code tools/fuzz.sh npy MINUTES} fuzzes.
 */
class NpyFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"{'descr': '", "<f4", "<f8", ">i2", "|b1", "<u8", "<f2", "'fortran_order': ",
        "False", "True", "'shape': (", ",)", "None", "9223372036854775807", "-1"})
    void fuzzNpy(byte[] data) {
        FuzzHarness.check(data, ".npy");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("npy", ".npy");
    }
}
