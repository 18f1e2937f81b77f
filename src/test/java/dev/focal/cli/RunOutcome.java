package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Assertions on what a focal run leaves: its stderr, the files beside its outputs. */
final class RunOutcome {
    private RunOutcome() {
    }

    /** focal's errors are one printable line each: no control character, no line separator inside. */
    static void assertOneLine(String err) {
        assertTrue(err.endsWith("\n"), err);
        String line = err.substring(0, err.length() - 1);
        for (char ch : line.toCharArray()) {
            assertFalse(Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029',
                    String.format("U+%04X in %s", (int) ch, err));
        }
    }

    /** The entries of {@code dir}, sorted. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }
}
