package dev.focal.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the allowlisted unpickler, through pickled numpy (.pkl) through TensorIO, as the CLI reads files. The seeds in
 * src/test/resources/fuzz/pickle run with the normal suite; {@code tools/fuzz.sh pickle MINUTES} fuzzes.
 */
class PickleFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzHarness.regressionModeWithoutHooks();
    }

    @FuzzTest
    @DictionaryEntries({"numpy.core.multiarray\\x0a_reconstruct\\x0a", "numpy\\x0andarray\\x0a", "numpy\\x0adtype\\x0a",
        "_codecs\\x0aencode\\x0a", "latin1", "f4", "<", "posix\\x0asystem\\x0a"})
    void fuzzPickle(byte[] data) {
        FuzzHarness.check(data, ".pkl");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("pickle", ".pkl");
    }
}
