package dev.focal.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * Shorthands for declaring focal's picocli model in code (why not by annotation: see {@link Main})
 * and for reading the parsed values back. picocli keeps each value in its option or positional
 * parameter, default included; a command copies them into its fields before it runs. (A setter
 * lambda per option would save that copy but spin a class per lambda at start-up.)
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

    /** An option taking one value of {@code type}; {@code defaultValue} is null when there is none. */
    static void option(CommandSpec spec, String name, String paramLabel, Class<?> type, String defaultValue,
            String description) {
        spec.addOption(OptionSpec.builder(name).paramLabel(paramLabel).type(type).defaultValue(defaultValue)
                .description(description).build());
    }

    /** A boolean option without a value, false unless given. */
    static void flag(CommandSpec spec, String name, String description) {
        spec.addOption(flagBuilder(description, name).build());
    }

    /** A flag to finish building: --debug's scope, the help options' roles. */
    static OptionSpec.Builder flagBuilder(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).initialValue(false).description(description);
    }

    /** A positional parameter holding one value of {@code type}. */
    static void parameter(CommandSpec spec, String index, String arity, String paramLabel, Class<?> type,
            String description) {
        spec.addPositional(parameterBuilder(arity, paramLabel, description).index(index).type(type).build());
    }

    /** A positional parameter, required when its arity needs a value (the annotations' rule, not the builder's). */
    static PositionalParamSpec.Builder parameterBuilder(String arity, String paramLabel, String description) {
        Range range = Range.valueOf(arity);
        return PositionalParamSpec.builder().arity(range).required(range.min() > 0).paramLabel(paramLabel)
                .description(description);
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

    /** The value of option {@code name} after parsing: the given one, else its default, else null (false for flags). */
    static <T> T value(CommandSpec spec, String name) {
        return spec.findOption(name).getValue();
    }

    /** The value of the positional parameter at {@code index} after parsing, else null. */
    static <T> T parameterValue(CommandSpec spec, int index) {
        return spec.positionalParameters().get(index).getValue();
    }
}
