package dev.focal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the focal command line in-process and keeps its exit code, stdout and stderr. */
final class Cli {
    final int code;
    final String out;
    final String err;

    private Cli(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    /** Runs outside CI, whatever the environment of the test run: tests must not depend on it. */
    static Cli run(String... args) {
        return withEnv(Map.of(), args);
    }

    /** Runs with {@code env} as the environment focal reads (CI, FOCAL_KERNEL, FOCAL_FSYNC). */
    static Cli withEnv(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
