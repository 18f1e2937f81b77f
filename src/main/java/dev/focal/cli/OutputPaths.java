package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.TensorRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Refuses, before any work, outputs that would overwrite an input or each other (exit 2). */
final class OutputPaths {
    private OutputPaths() {
    }

    /** Null entries (options not given) are skipped. */
    static void refuseClashes(List<Path> outputs, List<TensorRef> inputs) {
        List<Path> seen = new ArrayList<>();
        for (Path p : outputs) {
            if (p == null) {
                continue;
            }
            for (TensorRef in : inputs) {
                if (in != null && sameFile(in.path(), p)) {
                    throw FocalException.usage(p + ": is an input file; refusing to overwrite it");
                }
            }
            for (Path other : seen) {
                if (sameFile(other, p)) {
                    throw FocalException.usage(p + ": named for two outputs");
                }
            }
            seen.add(p);
        }
    }

    static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to the path comparison
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
