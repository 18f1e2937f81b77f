package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code focal completion}: the script covers the command model, and bash (and zsh, when installed) runs it. */
class CompletionTest {
    @TempDir
    Path tmp;

    /** The program's absolute path if it is on PATH, else null. */
    static Path onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, program)).filter(Files::isExecutable)
                .findFirst().orElse(null);
    }

    /** Runs {@code shell -c script} and returns its output (stdout and stderr), failing on a non-zero exit. */
    static String run(Path shell, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(shell.toString(), "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + script);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private Path script(String shell) throws IOException {
        Cli r = Cli.run("completion", shell);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.err);
        Path file = tmp.resolve("focal." + shell);
        Files.writeString(file, r.out);
        return file;
    }

    @Test
    void theBashScriptNamesEveryVerbAndEvalsOptions() throws IOException {
        String script = Files.readString(script("bash"));
        List<CommandSpec> commands = HelpTest.commands();
        StringBuilder verbs = new StringBuilder();
        for (CommandSpec verb : commands.subList(1, commands.size())) {
            verbs.append(verbs.length() == 0 ? "" : " ").append(verb.name());
            if (verb.name().equals("eval")) {
                for (OptionSpec option : verb.options()) {
                    for (String name : option.names()) {
                        assertTrue(script.contains("'" + name + "'"), name);
                    }
                }
            }
        }
        assertTrue(script.contains("local commands=\"" + verbs + " help\""), verbs.toString());
        assertTrue(script.endsWith("complete -F _complete_focal -o default focal focal.sh focal.bash\n"), script);
    }

    @Tag("process")
    @Test
    void bashAcceptsTheScriptAndCompletesFromIt() throws Exception {
        Path bash = onPath("bash");
        assumeTrue(bash != null, "bash is not installed");
        Path script = script("bash");
        run(bash, "bash -n " + script);
        // Completion as bash runs it on TAB: the words so far in COMP_WORDS, the function's
        // answers in COMPREPLY. compopt only works inside a real completion, so it is recorded.
        String out = run(bash, "source " + script + "\n"
                + "compopt() { echo \"compopt $*\"; }\n"
                + "complete_line() {\n"
                + "  COMP_LINE=$1; read -ra COMP_WORDS <<< \"$1\"\n"
                + "  [[ $1 == *' ' ]] && COMP_WORDS+=('')\n"
                + "  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()\n"
                + "  _complete_focal; echo \"[$1] ${COMPREPLY[*]}\"\n"
                + "}\n"
                + "complete_line 'focal '\n"
                + "complete_line 'focal eval --ga'\n"
                + "complete_line 'focal eval --reduction '\n"
                + "complete_line 'focal completion '\n"
                + "complete_line 'focal eval --logits sam'\n");
        assertEquals("[focal ] eval compare inspect convert completion help\n"
                + "[focal eval --ga] --gamma\n"
                + "[focal eval --reduction ] none sum mean batch\n"
                + "[focal completion ] bash zsh\n"
                // No answer, and bash's fallback to file names (-o default) left on.
                + "[focal eval --logits sam] \n", out);
    }

    @Tag("process")
    @Test
    void zshLoadsTheScriptThroughBashcompinit() throws Exception {
        Path zsh = script("zsh");
        String bashScript = Files.readString(script("bash"));
        assertEquals("autoload -U +X bashcompinit && bashcompinit\n" + bashScript, Files.readString(zsh));
        Path shell = onPath("zsh");
        assumeTrue(shell != null, "zsh is not installed");
        assertEquals("_bash_complete -F _complete_focal -o default\n",
                run(shell, "source " + zsh + " && print -r -- \"${_comps[focal]}\""));
    }
}
