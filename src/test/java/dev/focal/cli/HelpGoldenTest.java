package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The whole --help of focal and of each verb, pinned in src/test/resources/help/NAME.txt (focal.txt,
 * focal-eval.txt, ...) and compared exactly. After an intended change, rewrite them with
 * <pre>
 *   mvn -B -q test -Dtest=HelpGoldenTest -Dfocal.updateGolden=true
 * </pre>
 * and review their diff. A missing file is written and fails the test, so that it is looked at
 * before it passes; in CI (the CI variable set) nothing is written, so CI can never pass on a
 * reference it made itself.
 */
class HelpGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/help");

    @Test
    void helpMatchesItsGoldenFile() throws IOException {
        boolean ci = Settings.from(System.getenv()).ci();
        boolean update = Boolean.getBoolean("focal.updateGolden");
        if (update && ci) {
            fail("-Dfocal.updateGolden=true in CI: golden files are written by a developer, never by CI");
        }
        List<Executable> checks = new ArrayList<>();
        for (CommandSpec spec : HelpTest.commands()) {
            Cli help = Cli.run(HelpTest.helpArgs(spec));
            assertEquals(0, help.code, help.toString());
            Path golden = GOLDEN.resolve(spec.qualifiedName("-") + ".txt");
            boolean missing = !Files.exists(golden);
            if (missing && !update) {
                checks.add(() -> fail(golden + " was missing" + (ci ? " (CI writes none)" : "; written now, review it")));
            } else if (!update) {
                String expected = Files.readString(golden, StandardCharsets.UTF_8);
                checks.add(() -> assertEquals(expected, help.out, golden + " (refresh: see HelpGoldenTest)"));
            }
            if (update || (missing && !ci)) {
                Files.createDirectories(GOLDEN);
                Files.writeString(golden, help.out, StandardCharsets.UTF_8);
            }
        }
        assertAll(checks);
    }

    @Test
    void helpVerbPrintsTheVerbsHelp() {
        for (CommandSpec spec : HelpTest.commands().subList(1, HelpTest.commands().size())) {
            Cli help = Cli.run("help", spec.name());
            assertEquals(0, help.code, help.toString());
            assertEquals(Cli.run(spec.name(), "--help").out, help.out, spec.name());
        }
    }
}
