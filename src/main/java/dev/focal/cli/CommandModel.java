package dev.focal.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * Shorthands for declaring focal's picocli model in code (why not by annotation: see {@link Main}).
 * Each declaration returns an {@link Arg}, which a command keeps in a field and reads its value
 * through: every option is declared once, and read without looking it up by name. picocli keeps
 * each value in its option or positional parameter, default included. (A setter lambda per option
 * would spin a class per lambda at start-up.)
 */
final class CommandModel {
    private CommandModel() {
    }

    private static final HelpFormat HELP = new HelpFormat();

    /**
     * A command whose {@code call()} or {@code run()} picocli runs; the description is printed under
     * the synopsis, and its first line is the command's summary in focal's list of commands.
     */
    static CommandSpec command(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description).helpFactory(HELP);
        return spec;
    }

    /**
     * The "Examples:" section that ends a verb's help: a comment line, then the command line it
     * describes (continued after a backslash); HelpTest runs each, as from the project's folder.
     */
    static void examples(CommandSpec spec, String... lines) {
        spec.usageMessage().footerHeading("%nExamples:%n").footer(lines);
    }

    /** One option or positional parameter of a command, declared once and read through this object. */
    static final class Arg<T> {
        private final ArgSpec arg;

        private Arg(ArgSpec arg) {
            this.arg = arg;
        }

        /** The parsed value: the given one, else the default, else null (false for a flag). */
        T get() {
            return arg.getValue();
        }

        /** The parsed value, empty when neither given nor defaulted. */
        Optional<T> find() {
            return Optional.ofNullable(arg.getValue());
        }
    }

    /** An option taking one value of {@code type}; {@code defaultValue} is null when there is none. */
    static <T> Arg<T> option(CommandSpec spec, String name, String paramLabel, Class<T> type, String defaultValue,
            String description) {
        return add(spec, OptionSpec.builder(name).paramLabel(paramLabel).type(type).defaultValue(defaultValue)
                .description(description).build());
    }

    /** An option taking a comma-separated list of strings. */
    static Arg<List<String>> listOption(CommandSpec spec, String name, String paramLabel, String description) {
        return add(spec, OptionSpec.builder(name).paramLabel(paramLabel).splitRegex(",").type(List.class)
                .auxiliaryTypes(String.class).description(description).build());
    }

    /** A boolean option without a value, false unless given. */
    static Arg<Boolean> flag(CommandSpec spec, String name, String description) {
        return add(spec, flagBuilder(description, name).build());
    }

    /** Adds {@code option} to {@code spec}: for options a shorthand above does not build. */
    static <T> Arg<T> add(CommandSpec spec, OptionSpec option) {
        spec.addOption(option);
        return new Arg<>(option);
    }

    /** A flag to finish building: --debug's scope, the help options' roles. */
    static OptionSpec.Builder flagBuilder(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).initialValue(false).description(description);
    }

    /** A positional parameter holding one value of {@code type}. */
    static <T> Arg<T> parameter(CommandSpec spec, String index, String arity, String paramLabel, Class<T> type,
            String description) {
        return add(spec, parameterBuilder(arity, paramLabel, description).index(index).type(type).build());
    }

    /** Adds {@code parameter} to {@code spec}: for parameters {@link #parameter} does not build. */
    static <T> Arg<T> add(CommandSpec spec, PositionalParamSpec parameter) {
        spec.addPositional(parameter);
        return new Arg<>(parameter);
    }

    /** A positional parameter, required when its arity needs a value (the annotations' rule, not the builder's). */
    static PositionalParamSpec.Builder parameterBuilder(String arity, String paramLabel, String description) {
        Range range = Range.valueOf(arity);
        return PositionalParamSpec.builder().arity(range).required(range.min() > 0).paramLabel(paramLabel)
                .description(description);
    }

    /**
     * Main's --debug, which every verb inherits: a copy of the option that only the verb's own
     * model holds, so it is looked up there by name.
     */
    static boolean debug(CommandSpec spec) {
        return spec.findOption("--debug").getValue();
    }

    /**
     * -h/--help and -V/--version, as picocli's {@code mixinStandardHelpOptions} declares them, which
     * it does with an annotated class. Added last, where that mixin put them in the option list.
     * Every verb prints the version as focal does (a verb's own spec has none of its parent's).
     */
    static void helpOptions(CommandSpec spec) {
        spec.versionProvider(new VersionProvider());
        spec.addOption(flagBuilder("Show this help message and exit.", "-h", "--help").usageHelp(true).build());
        spec.addOption(flagBuilder("Print version information and exit.", "-V", "--version").versionHelp(true).build());
    }
}
