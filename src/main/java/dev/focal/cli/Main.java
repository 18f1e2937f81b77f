package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.loss.WarmUp;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code focal} command: global options, subcommands, and the mapping of failures to exit codes. */
@Command(name = "focal",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Sigmoid focal classification loss of 3D object detectors, on dumped tensors.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  success",
            "  1  a comparison found differences",
            "  2  usage error (bad option or argument)",
            "  3  input error: missing, unreadable, malformed or unsupported input",
            "  4  output error: a file could not be written",
            " 70  internal error (a bug: please report it with the --debug output)"})
public final class Main implements Runnable {
    /** Exit code for failures that are bugs, as sysexits' EX_SOFTWARE. */
    static final int INTERNAL = 70;

    /** The verbs, in the order --help lists them. */
    private static final Map<String, Supplier<Object>> VERBS = new LinkedHashMap<>();

    static {
        VERBS.put("eval", EvalCommand::new);
        VERBS.put("compare", CompareCommand::new);
        VERBS.put("inspect", InspectCommand::new);
        VERBS.put("convert", ConvertCommand::new);
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures (for bug reports).")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns its exit code; the tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        String verb = firstWord(args);
        if ("eval".equals(verb)) {
            WarmUp.start();
        }
        CommandLine cl = new CommandLine(new Main());
        // Building picocli's model of a command costs more than starting the JVM, and a run needs
        // only its own verb's; --help, help and unknown verbs get them all.
        Supplier<Object> only = VERBS.get(verb);
        if (only != null) {
            cl.addSubcommand(verb, only.get());
        } else {
            VERBS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
            cl.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            err.println("focal: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return FocalException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(ex, err, hasDebug(args)));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("focal: out of memory; give the JVM more heap, e.g. JAVA_OPTS=-Xmx8g");
            return INTERNAL;
        } finally {
            out.flush();
            err.flush();
        }
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
}
