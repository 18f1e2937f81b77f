package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the .npz reader through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/npz run with the normal suite; {@code tools/fuzz.sh npz MINUTES} fuzzes.
 */
class NpzFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"PK\u0003\u0004", "PK\u0001\u0002", "PK\u0005\u0006", "PK\u0006\u0006", "PK\u0006\u0007",
        ".npy"})
    void fuzzNpz(byte[] data) {
        FuzzHarness.check(data, ".npz");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("npz", ".npz");
    }
}
