package dev.focal.cli;

import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.parameter;

import dev.focal.cli.CommandModel.Arg;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal completion}: a shell completion script, generated from the command model by picocli. */
final class CompletionCommand implements Callable<Integer> {
    /** SHELL values. */
    enum Shell { bash, zsh }

    final CommandSpec spec = CommandModel.command(this, "completion",
            "Prints a shell completion script for bash or zsh.",
            "The script completes focal's commands, options and their values; picocli",
            "generates it from focal's own model of its commands. Load it into the running",
            "shell with source <(focal completion bash), or zsh, or into every new shell",
            "from ~/.bashrc or ~/.zshrc. zsh runs the bash script through its bash",
            "completion emulation (bashcompinit), which the zsh script loads first.");
    private final Settings settings;
    private final Arg<Shell> shell = parameter(spec, "0", "1", "SHELL", Shell.class, "bash or zsh.");

    CompletionCommand(Settings settings) {
        this.settings = settings;
        helpOptions(spec);
        examples(spec,
                "  # Complete focal's commands and options in this bash",
                "  source <(focal completion bash)",
                "  # The same in zsh",
                "  source <(focal completion zsh)");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (shell.get() == Shell.zsh) {
            // zsh runs bash's completion scripts through bashcompinit. picocli's script loads it
            // too when it sees ZSH_VERSION; loading it twice does no harm.
            out.print("autoload -U +X bashcompinit && bashcompinit\n");
        }
        // picocli completes file names only for File and Path arguments, and in a command with
        // options that take a value it turns off bash's fallback to them (-o default). focal's
        // inputs are strings, FILE or FILE:KEY, so its script keeps that fallback.
        out.print(AutoComplete.bash("focal", Main.commandLine(null, settings))
                .replace("  type compopt &>/dev/null && compopt +o default\n", ""));
        out.flush();
        return 0;
    }
}
