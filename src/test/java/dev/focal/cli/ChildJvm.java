package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/** focal in a child JVM, on the test class path, for what only a real process shows; also any command. */
final class ChildJvm {
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    private ChildJvm() {
    }

    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static List<String> javaCommand(List<String> jvmArgs) {
        return javaCommand(jvmArgs, Main.class);
    }

    /** {@code java} with {@code jvmArgs} on the test class path, to run {@code mainClass}. */
    static List<String> javaCommand(List<String> jvmArgs, Class<?> mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }

    static Process start(List<String> prefix, List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(javaCommand(jvmArgs));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static Result run(List<String> prefix, List<String> jvmArgs, String... args) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(javaCommand(jvmArgs));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("focal-child-", ".out");
        Path err = Files.createTempFile("focal-child-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out after " + TIMEOUT + ": " + cmd);
            }
            // The JVM's own notices (JAVA_TOOL_OPTIONS) are not focal's output.
            String e = Files.readString(err).lines().filter(l -> !l.startsWith("Picked up "))
                    .map(l -> l + "\n").collect(Collectors.joining());
            return new Result(p.exitValue(), Files.readString(out), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * A command prefix under which a child respects file permissions. Nothing for a normal
     * user; root ignores permission bits (CAP_DAC_OVERRIDE), so for root it is setpriv(1)
     * dropping the capabilities that bypass them. The test is skipped, saying why, when
     * neither works. {@code probe} is a path the child must not be able to use.
     */
    static List<String> permissionsEnforced(Path probe) throws IOException, InterruptedException {
        Path unreadable = Files.createTempFile("focal-probe-", "");
        try {
            Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
            if (!Files.isReadable(unreadable)) {
                return List.of();
            }
            List<String> setpriv = List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search");
            boolean works;
            try {
                List<String> cmd = new ArrayList<>(setpriv);
                cmd.addAll(List.of("cat", unreadable.toString()));
                Result r = exec(cmd);
                works = r.code != 0 && r.err.contains("Permission denied");
            } catch (IOException e) {
                works = false;
            }
            Assumptions.assumeTrue(works, "running as root, which reads and writes whatever the permission bits"
                    + " say, and setpriv(1) cannot drop CAP_DAC_OVERRIDE here: cannot make " + probe
                    + " inaccessible");
            return setpriv;
        } finally {
            Files.deleteIfExists(unreadable);
        }
    }

    /** Whether {@code unshare -m} can give a child a private mount namespace to mount in. */
    static boolean canUnshareMounts() {
        try {
            return exec(List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k focal-probe /mnt"))
                    .code == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
