package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes torch.save's legacy format through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/legacy run with the normal suite; {@code tools/fuzz.sh legacy MINUTES} fuzzes.
 */
class TorchLegacyFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"storage", "cpu", "little_endian", "torch._utils\\x0a_rebuild_tensor_v2\\x0a",
        "torch\\x0aFloatStorage\\x0a", "torch\\x0aHalfStorage\\x0a", "collections\\x0aOrderedDict\\x0a"})
    void fuzzTorchLegacy(byte[] data) {
        FuzzHarness.check(data, ".pt");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("legacy", ".pt");
    }
}
