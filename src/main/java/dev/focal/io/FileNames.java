package dev.focal.io;

import dev.focal.FocalException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * File names given on the command line. The JVM decodes arguments, and encodes file names back
 * to bytes, in the charset of the locale it started in (sun.jnu.encoding); bin/focal starts it in
 * a UTF-8 one, where a name round-trips unless its bytes are not UTF-8. Those were decoded as
 * U+FFFD, so the name would open or create another file than the one meant: it is refused.
 */
public final class FileNames {
    private static final String CHARSET = System.getProperty("sun.jnu.encoding");

    private FileNames() {
    }

    /** The path {@code name} gives, or a failure with {@code exitCode} naming it. */
    public static Path path(String name, int exitCode) {
        String problem;
        try {
            Path path = Path.of(name);
            if (name.indexOf('\uFFFD') < 0) {
                return path;
            }
            problem = "file name is not valid UTF-8 (focal reads file names as UTF-8)";
        } catch (InvalidPathException e) {
            problem = "UTF-8".equals(CHARSET) ? "not a file name: " + IoErrors.lower(e.getReason())
                    : "file name not representable in " + CHARSET + ", the charset of the JVM's locale;"
                            + " run focal in a UTF-8 locale, as bin/focal does";
        }
        throw new FocalException(exitCode, name + ": " + problem);
    }
}
