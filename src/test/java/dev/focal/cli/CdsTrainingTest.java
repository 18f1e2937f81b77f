package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The launcher's class-data-sharing training run: every command it runs on the bundled samples
 * ends as expected (it throws otherwise, and the launcher would then run without an archive),
 * and it leaves no temporary files behind.
 */
class CdsTrainingTest {

    @Test
    void runsEveryCommandOnTheBundledSamplesAndCleansUp() throws IOException {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        long before = trainingDirs(tmp);
        CdsTraining.main(new String[] {"samples"});
        assertEquals(before, trainingDirs(tmp), "the training's temporary directory is removed");
    }

    private static long trainingDirs(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("focal-cds")).count();
        }
    }
}
