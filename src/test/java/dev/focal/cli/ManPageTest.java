package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The man pages that the build makes before the tests (ManPages): one per command, rendered cleanly by groff. */
class ManPageTest {
    static final Path MAN = Path.of("target/man");

    /** Runs groff over a page: its plain-text rendering, or a failure with groff's warnings. */
    static String render(Path page, Path groff) throws Exception {
        Process p = new ProcessBuilder(groff.toString(), "-man", "-Tutf8", "-ww", "-P-cbou", page.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String warnings = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "groff timed out on " + page);
        assertEquals(0, p.exitValue(), page + ": " + warnings);
        assertEquals("", warnings, page + " makes groff warn");
        return out;
    }

    /** The words of {@code text}, one space apart. */
    static String flat(String text) {
        return text.trim().replaceAll("\\s+", " ");
    }

    @Test
    void everyCommandHasAPage() {
        List<String> names = new ArrayList<>(List.of("focal-help"));
        HelpTest.commands().forEach(spec -> names.add(spec.qualifiedName("-")));
        for (String name : names) {
            assertTrue(Files.isRegularFile(MAN.resolve(name + ".1")), MAN.resolve(name + ".1") + " (made by the build:"
                    + " run mvn verify, or mvn test, rather than the test alone from an IDE)");
        }
    }

    @Tag("process")
    @Test
    void groffRendersEachPageWithoutWarnings() throws Exception {
        Path groff = CompletionTest.onPath("groff");
        assumeTrue(groff != null, "groff is not installed (Debian: apt-get install groff-base)");
        for (CommandSpec spec : HelpTest.commands()) {
            // Words as groff fills them into lines, asciidoctor's typographic apostrophe as '.
            String page = flat(render(MAN.resolve(spec.qualifiedName("-") + ".1"), groff)).replace('\u2019', '\'');
            assertTrue(page.contains(spec.qualifiedName("-") + " - " + spec.usageMessage().description()[0]), page);
            for (OptionSpec option : spec.options()) {
                assertTrue(page.contains(option.longestName()), option.longestName() + " in\n" + page);
            }
            if (spec.usageMessage().footer().length > 0) {
                assertTrue(page.contains(flat(spec.usageMessage().footer()[1])), page);
            }
        }
        render(MAN.resolve("focal-help.1"), groff);
    }
}
