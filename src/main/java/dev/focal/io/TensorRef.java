package dev.focal.io;

import dev.focal.FocalException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A tensor named on the command line: {@code FILE} or {@code FILE:KEY}. A colon splits off a
 * key only when the whole text is not itself an existing file, so paths with colons still work.
 */
public final class TensorRef {
    private final String file;
    private final String key;

    public TensorRef(String file, String key) {
        this.file = file;
        this.key = key;
    }

    public static TensorRef parse(String spec) {
        if (!exists(spec)) {
            int colon = spec.lastIndexOf(':');
            if (colon > 0 && colon < spec.length() - 1 && exists(spec.substring(0, colon))) {
                return new TensorRef(spec.substring(0, colon), spec.substring(colon + 1));
            }
        }
        return new TensorRef(spec, null);
    }

    /** Whether {@code s} names an input: an existing file, or standard input. */
    private static boolean exists(String s) {
        if (s.equals(Spool.STDIN)) {
            return true;
        }
        try {
            return Files.exists(Paths.get(s));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    public String file() {
        return file;
    }

    /** The member key, or null for "the array in this file". */
    public String key() {
        return key;
    }

    /** The file's path; a name that cannot be one is an input error (exit 3). */
    public Path path() {
        return FileNames.path(file, FocalException.INPUT);
    }

    /** A new reference to a member of the same file. */
    public TensorRef withKey(String k) {
        return new TensorRef(file, k);
    }

    @Override
    public String toString() {
        return key == null ? file : file + ":" + key;
    }
}
