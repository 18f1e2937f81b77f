package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.FileNames;
import dev.focal.io.AtomicFile;
import dev.focal.io.StandardOutput;
import dev.focal.loss.WarmUp;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

/**
 * The {@code focal} command: global options, subcommands, and the mapping of failures to exit codes.
 * <p>
 * The commands' picocli models are declared in code ({@link CommandModel}), not by annotation:
 * reading annotations makes the JDK generate a proxy class per annotation type and picocli
 * reflect over every field, a large part of each start-up (BENCHMARKS.md).
 */
public final class Main implements Runnable {
    /** Exit code for failures that are bugs, as sysexits' EX_SOFTWARE. */
    static final int INTERNAL = 70;

    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    /** The verbs, in the order --help lists them. */
    private static final String[] VERBS = {"eval", "compare", "inspect", "convert", "completion"};

    private final CommandSpec spec = CommandModel.command(this, "focal",
            "Sigmoid focal classification loss of 3D object detectors, on dumped tensors.");

    private Main() {
        spec.usageMessage().footerHeading("%nExit codes:%n").footer(
                "  0  success",
                "  1  a comparison found differences",
                "  2  usage error (bad option or argument)",
                "  3  input error: missing, unreadable, malformed, unsupported, too big",
                "  4  output error: a file or standard output could not be written",
                " 70  internal error (a bug: please report it with the --debug output)");
        spec.addOption(CommandModel.flagBuilder("Print stack traces of failures (for bug reports).", "--debug")
                .scopeType(ScopeType.INHERIT).build());
        CommandModel.helpOptions(spec);
    }

    /** A new model of the verb {@code name}, or null if there is no such verb. */
    private static CommandSpec verb(String name, Settings settings) {
        switch (name) {
            case "eval": return new EvalCommand(settings).spec;
            case "compare": return new CompareCommand().spec;
            case "inspect": return new InspectCommand().spec;
            case "convert": return new ConvertCommand().spec;
            case "completion": return new CompletionCommand(settings).spec;
            default: return null;
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    static {
        // picocli registers converters for java.time and java.sql types by reflection, which loads
        // and initialises those packages at every start-up; no focal option has such a type.
        // Here rather than in main, so that CdsTraining's runs, and the tests', start the same way.
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, "java\\.(time|sql)\\..*");
        }
    }

    /**
     * Text goes out in UTF-8 whatever the locale (System.out's charset is the locale's: ASCII, and
     * a '?' for each other character, under C or POSIX).
     */
    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, new StandardOutput(new FileOutputStream(FileDescriptor.out)), err));
    }

    /** Runs the command line printing to {@code stdout}; output lost there is exit 4. */
    static int run(String[] args, StandardOutput stdout, PrintWriter err) {
        int code = run(args, new PrintWriter(stdout, true, StandardCharsets.UTF_8), err);
        FocalException lost = stdout.lost();
        // Exit 0 and 1 say that stdout holds the result; a run that failed otherwise has said why.
        return lost != null && code <= FocalException.DIFFERENCES ? report(lost, err, hasDebug(args)) : code;
    }

    /** Runs the command line and returns its exit code; the tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, System.getenv());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with the environment given. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        Settings settings = Settings.from(env);
        AtomicFile.syncToDisk(settings.fsync());
        String verb = firstWord(args);
        if ("eval".equals(verb)) {
            WarmUp.start();
        }
        CommandLine cl = commandLine(verb, settings);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("focal: " + usageError(ex));
            err.flush();
            return FocalException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(ex, err, hasDebug(args)));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // Inputs (or a --top) too big for the heap: the user's to fix, not a bug.
            err.println("focal: out of memory: this run needs more than the JVM's "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB of heap; give it more (JAVA_OPTS=-Xmx8g),"
                    + " or convert JSON files to .npy, which is memory-mapped, not read onto the heap");
            if (hasDebug(args)) {
                e.printStackTrace(err);
            }
            return FocalException.INPUT;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** focal's command line, with the model of {@code verb} if that is one, else of every verb. */
    static CommandLine commandLine(String verb, Settings settings) {
        CommandLine cl = new CommandLine(new Main().spec);
        // Building picocli's model of a command costs more than starting the JVM, and a run needs
        // only its own verb's; --help, help and unknown verbs get them all, and picocli's help
        // command (annotated, so these runs still pay for annotation proxies).
        CommandSpec only = verb == null ? null : verb(verb, settings);
        if (only != null) {
            cl.addSubcommand(verb, only);
        } else {
            for (String name : VERBS) {
                cl.addSubcommand(name, verb(name, settings));
            }
            cl.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cl.registerConverter(Path.class, new FileNameConverter());
        return cl;
    }

    /**
     * A usage error in one line. An unknown option or verb names the first unmatched argument alone
     * (picocli's message also lists the ones after it, such as the unknown option's value), with
     * the names picocli suggests: the options sharing its first two letters, or the verb most alike.
     */
    static String usageError(CommandLine.ParameterException ex) {
        String help = "see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
        if (ex instanceof CommandLine.UnmatchedArgumentException) {
            CommandLine.UnmatchedArgumentException u = (CommandLine.UnmatchedArgumentException) ex;
            List<String> names = u.getSuggestions();
            if (!names.isEmpty()) {
                names = u.isUnknownOption() ? names : names.subList(0, 1);
                String alternatives = names.size() == 1 ? names.get(0)
                        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
                return "Unknown " + (u.isUnknownOption() ? "option" : "command") + ": '" + u.getUnmatched().get(0)
                        + "' (did you mean " + alternatives + "? " + help + ")";
            }
        }
        return ex.getMessage() + " (" + help + ")";
    }

    /** Prints a failure as one line (plus the stack trace under --debug) and returns its exit code. */
    static int report(Exception ex, PrintWriter err, boolean debug) {
        int code;
        if (ex instanceof FocalException) {
            err.println("focal: " + ex.getMessage());
            code = ((FocalException) ex).exitCode();
        } else {
            err.println("focal: internal error: " + ex + (debug ? "" : " (rerun with --debug for details)"));
            code = INTERNAL;
        }
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static String firstWord(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static boolean hasDebug(String[] args) {
        for (String a : args) {
            if (a.equals("--debug")) {
                return true;
            }
            if (a.equals("--")) {
                return false;
            }
        }
        return false;
    }

    /**
     * Options naming files (--out, --stats, convert's OUT, ...): a name that cannot be a path is
     * a usage error naming it, not picocli's message around an InvalidPathException. A class, not
     * a lambda, which would be spun at each start-up.
     */
    private static final class FileNameConverter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            try {
                return FileNames.path(value, FocalException.USAGE);
            } catch (FocalException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
