package dev.focal.cli;

import static dev.focal.cli.RunOutcome.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names and text outside ASCII (issue 19): a name that cannot be a file's is exit 2 or 3 with one
 * line naming it, never an internal error; text goes out in UTF-8 in any locale. In-process, and
 * in a child JVM started straight under the C locale (bin/focal would start it under C.UTF-8:
 * LauncherTest).
 */
class FileNamesTest {
    private static final String NOT_UTF8 = "file name is not valid UTF-8 (focal reads file names as UTF-8)";
    private static final List<String> C_LOCALE = List.of("env", "LC_ALL=C");

    @TempDir
    Path tmp;
    private String json;

    @BeforeEach
    void aTensor() throws IOException {
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "the tests name files with"
                + " an é, which a JVM in a locale that is not UTF-8 cannot (sun.jnu.encoding="
                + System.getProperty("sun.jnu.encoding") + ")");
        json = Files.copy(Path.of("samples/tiny.json"), tmp.resolve("tiny.json")).toString();
    }

    /**
     * Bytes of an argument that are not UTF-8 reach Java as U+FFFD: the name would be another
     * file's. (eval, whose first run in a JVM starts a warm-up thread that KernelChoiceTest times,
     * runs in a child JVM below and in LauncherTest.)
     */
    @Test
    void aNameHoldingAReplacementCharacterIsRefused() throws IOException {
        String in = tmp.resolve("caf\uFFFD.json").toString();
        Files.copy(Path.of(json), Path.of(in)); // even when it exists: it is not the file that was meant
        String old = Files.writeString(tmp.resolve("old.npy"), "old").toString();
        for (String[] args : List.of(new String[] {"inspect", in}, new String[] {"convert", in, old},
                new String[] {"compare", in, json}, new String[] {"compare", json, in + ":logits"})) {
            Cli r = Cli.run(args);
            assertEquals(3, r.code, String.join(" ", args) + "\n" + r);
            assertEquals("focal: " + in + ": " + NOT_UTF8 + "\n", r.err);
        }
        String out = tmp.resolve("o\uFFFD.npy").toString();
        Cli r = Cli.run("compare", json, json, "--junit", out);
        assertEquals(2, r.code, r.toString());
        assertEquals("focal: Invalid value for option '--junit': " + out + ": " + NOT_UTF8
                + " (see 'focal compare --help')\n", r.err);
        Cli c = Cli.run("convert", json + ":logits", out);
        assertEquals(2, c.code, c.toString());
        assertEquals("focal: Invalid value for positional parameter at index 1 (OUT): " + out + ": " + NOT_UTF8
                + " (see 'focal convert --help')\n", c.err);
        assertEquals(List.of("caf\uFFFD.json", "old.npy", "tiny.json"), names());
        assertEquals("old", Files.readString(Path.of(old)));
    }

    /** A lone surrogate (no argument can hold one, but a string can) has no bytes in UTF-8. */
    @Test
    void aNameThatNoCharsetEncodesIsRefused() throws IOException {
        String in = tmp + "/a\uD800.json";
        Cli r = Cli.run("inspect", in);
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: " + in + ": not a file name: malformed input or input contains unmappable characters\n",
                r.err);
        Cli o = Cli.run("convert", json, in);
        assertEquals(2, o.code, o.toString());
        assertOneLine(o.err);
        assertTrue(o.err.startsWith("focal: Invalid value for positional parameter at index 1 (OUT): " + in + ": "), o.err);
        assertEquals(List.of("tiny.json"), names());
    }

    /** Java run straight under C decodes é as U+FFFD U+FFFD and cannot encode them back: a clear refusal. */
    @Tag("process")
    @Test
    void aNonAsciiNameUnderTheCLocaleIsAnErrorNamingIt() throws Exception {
        String in = Files.copy(Path.of(json), tmp.resolve("café.json")).toString();
        String advice = "run focal in a UTF-8 locale, as bin/focal does\n";
        ChildJvm.Result r = ChildJvm.run(C_LOCALE, List.of(), "eval", in);
        assertEquals(3, r.code, r.toString());
        assertOneLine(r.err);
        assertTrue(r.err.startsWith("focal: " + tmp.resolve("caf\uFFFD\uFFFD.json") + ": file name not representable in "),
                r.err);
        assertTrue(r.err.endsWith(advice), r.err);
        ChildJvm.Result o = ChildJvm.run(C_LOCALE, List.of(), "eval", json,
                "--out", tmp.resolve("é.npy").toString());
        assertEquals(2, o.code, o.toString());
        assertOneLine(o.err);
        assertTrue(o.err.contains(advice.strip()), o.err);
    }

    /** Under C, System.out and System.err print '?' for every non-ASCII character. */
    @Tag("process")
    @Test
    void textIsUtf8UnderTheCLocale() throws Exception {
        Path good = tmp.resolve("good.json");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(good, "{\"Café\": [1.5, 2]}");
        Files.writeString(bad, "{\"Crème\": \"x\"}");
        ChildJvm.Result r = ChildJvm.run(C_LOCALE, List.of(), "inspect",
                good.toString(), bad.toString());
        assertEquals(3, r.code, r.toString());
        assertTrue(r.out.contains(good + ":Café  float64  (2,)"), r.out);
        assertEquals("focal: " + bad + ":Crème: a string is not an array\n", r.err);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
