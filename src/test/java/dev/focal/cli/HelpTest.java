package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** The usage help reads well: no token split across lines, a summary per verb, text within the width. */
class HelpTest {
    /** focal's own commands (picocli's help command aside): the top level and each verb. */
    static List<CommandSpec> commands() {
        CommandSpec root = Main.commandLine(null, Settings.from(Map.of())).getCommandSpec();
        List<CommandSpec> all = new ArrayList<>(List.of(root));
        root.subcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                all.add(sub.getCommandSpec());
            }
        });
        return all;
    }

    /** The arguments that print {@code spec}'s help. */
    static String[] helpArgs(CommandSpec spec) {
        return spec.parent() == null ? new String[] {"--help"} : new String[] {spec.name(), "--help"};
    }

    @Test
    void descriptionsWrapOnlyBetweenTokens() {
        for (CommandSpec spec : commands()) {
            Cli help = Cli.run(helpArgs(spec));
            assertEquals(0, help.code, help.toString());
            Set<String> printed = new HashSet<>(Arrays.asList(help.out.split("\\s+")));
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec arg : args) {
                for (String token : String.join(" ", arg.description()).split("\\s+")) {
                    if (!token.contains("${")) {
                        assertTrue(printed.contains(token), "'" + token + "' is split in\n" + help.out);
                    }
                }
            }
        }
    }

    @Test
    void handLaidTextFitsTheWidthSoPicocliKeepsItsLines() {
        for (CommandSpec spec : commands()) {
            int width = spec.usageMessage().width();
            List<String> lines = new ArrayList<>(Arrays.asList(spec.usageMessage().description()));
            lines.addAll(Arrays.asList(spec.usageMessage().footer()));
            for (String line : lines) {
                assertTrue(line.length() <= width, spec.qualifiedName() + ": " + line.length() + " > " + width
                        + " columns: " + line);
            }
        }
    }

    @Test
    void commandListGivesEachVerbItsOneLineSummary() {
        String help = Cli.run("--help").out;
        String list = help.substring(help.indexOf("Commands:\n") + "Commands:\n".length());
        list = list.substring(0, list.indexOf("\n\n") + 1);
        List<CommandSpec> verbs = commands().subList(1, commands().size());
        String name = "  %-" + verbs.stream().mapToInt(v -> v.name().length()).max().getAsInt() + "s  ";
        StringBuilder expected = new StringBuilder();
        for (CommandSpec spec : verbs) {
            String summary = spec.usageMessage().description()[0];
            assertFalse(summary.endsWith(":"), summary);
            expected.append(String.format(name, spec.name())).append(summary).append('\n');
        }
        expected.append(String.format(name, "help")).append("Display help information about the specified command.\n");
        assertEquals(expected.toString(), list);
    }

    /** The command lines of {@code spec}'s examples: continuations joined, from "focal" to the line's end or a ')'. */
    static List<String> examples(CommandSpec spec) {
        List<String> commands = new ArrayList<>();
        String pending = "";
        for (String line : spec.usageMessage().footer()) {
            String text = pending + line.trim();
            if (text.startsWith("#")) {
                continue;
            }
            if (text.endsWith("\\")) {
                pending = text.substring(0, text.length() - 1);
                continue;
            }
            pending = "";
            int start = text.indexOf("focal ");
            int end = text.indexOf(')', start);
            commands.add(text.substring(start, end < 0 ? text.length() : end));
        }
        return commands;
    }

    @Test
    void everyVerbsExamplesRun(@TempDir Path tmp) {
        for (CommandSpec spec : commands().subList(1, commands().size())) {
            List<String> commands = examples(spec);
            assertTrue(commands.size() >= 2 && commands.size() <= 4, spec.name() + ": " + commands);
            for (String command : commands) {
                String[] words = command.split(" +");
                assertEquals("focal", words[0], command);
                String[] args = Arrays.copyOfRange(words, 1, words.length);
                for (int i = 0; i < args.length; i++) {
                    if (args[i].startsWith("/tmp/")) {
                        args[i] = tmp.resolve(args[i].substring("/tmp/".length())).toString();
                    }
                }
                Cli r = Cli.run(args);
                if (r.code != 0 || !r.err.isEmpty()) {
                    fail(command + "\n" + r);
                }
            }
        }
    }

    @Test
    void everyVerbPrintsTheVersion() {
        // Run from the compiled classes, which have no jar manifest and so no Implementation-Version.
        Cli top = Cli.run("--version");
        assertEquals(0, top.code, top.toString());
        assertEquals("focal (development build)\nJava " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ")\n", top.out);
        for (CommandSpec spec : commands().subList(1, commands().size())) {
            for (String option : new String[] {"--version", "-V"}) {
                Cli r = Cli.run(spec.name(), option);
                assertEquals(0, r.code, r.toString());
                assertEquals(top.out, r.out, spec.name() + " " + option);
            }
        }
    }

    @Test
    void unknownOptionsAndVerbsSuggestTheClosest() {
        Cli option = Cli.run("eval", "samples/tiny.json", "--gama", "3");
        assertEquals(2, option.code);
        assertEquals("focal: Unknown option: '--gama' (did you mean --gamma? see 'focal eval --help')\n", option.err);
        assertEquals("focal: Unknown option: '--rtl' (did you mean --rtol? see 'focal compare --help')\n",
                Cli.run("compare", "--rtl", "1", "a.npy", "b.npy").err);
        assertEquals("focal: Unknown option: '--out-dtpe=float32' (did you mean --out or --out-dtype?"
                + " see 'focal eval --help')\n", Cli.run("eval", "--out-dtpe=float32", "samples/tiny.json").err);
        Cli verb = Cli.run("evl", "samples/tiny.json");
        assertEquals(2, verb.code);
        assertEquals("focal: Unknown command: 'evl' (did you mean eval? see 'focal --help')\n", verb.err);
        assertEquals("focal: Unknown command: 'conver' (did you mean convert? see 'focal --help')\n",
                Cli.run("conver", "a.npy", "b.npy").err);
        // Nothing close: picocli's message as it was.
        assertEquals("focal: Unknown option: '--xyzzy' (see 'focal inspect --help')\n",
                Cli.run("inspect", "--xyzzy", "samples/tiny.json").err);
        // (eval takes any number of bundles: docs/commands.md#many-dumps)
        assertEquals("focal: Unmatched argument at index 3: 'extra' (see 'focal compare --help')\n",
                Cli.run("compare", "samples/tiny.json", "samples/tiny.json", "extra").err);
    }
}
