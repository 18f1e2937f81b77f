package dev.focal;

/**
 * A failure the user can act on: carries the exit code the CLI returns and a one-line message
 * that names the file (or option) and the problem. Anything else escaping a command is a bug.
 */
public class FocalException extends RuntimeException {
    /** A comparison found differences. */
    public static final int DIFFERENCES = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** An input is missing, unreadable, malformed or unsupported. */
    public static final int INPUT = 3;
    /** An output could not be written. */
    public static final int OUTPUT = 4;

    private final int exitCode;

    public FocalException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public FocalException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** {@code NAME: problem}, exit 3. */
    public static FocalException input(String name, String problem) {
        return new FocalException(INPUT, name + ": " + problem);
    }

    public static FocalException input(String name, String problem, Throwable cause) {
        return new FocalException(INPUT, name + ": " + problem, cause);
    }

    /** {@code NAME: problem}, exit 4. */
    public static FocalException output(String name, String problem, Throwable cause) {
        return new FocalException(OUTPUT, name + ": " + problem, cause);
    }

    public static FocalException usage(String message) {
        return new FocalException(USAGE, message);
    }
}
