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
    @DictionaryEntries({"numpy.core.multiarray\n_reconstruct\n", "numpy\nndarray\n", "numpy\ndtype\n",
        "_codecs\nencode\n", "latin1", "f4", "<", "posix\nsystem\n"})
    void fuzzPickle(byte[] data) {
        FuzzHarness.check(data, ".pkl");
    }

    @TestFactory
    Stream<DynamicTest> seedCorpus() throws IOException {
        return FuzzHarness.seeds("pickle", ".pkl");
    }
}
