package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes torch.save's zip format through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/torchzip run with the normal suite; {@code tools/fuzz.sh torchzip MINUTES} fuzzes.
 */
class TorchZipFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"PK\u0003\u0004", "PK\u0001\u0002", "PK\u0005\u0006", "/data.pkl", "/data/0",
        "/byteorder", "big", "storage", "cpu", "torch._utils\\x0a_rebuild_tensor_v2\\x0a", "torch\\x0aFloatStorage\\x0a"})
    void fuzzTorchZip(byte[] data) {
        FuzzHarness.check(data, ".pt");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("torchzip", ".pt");
    }
}
