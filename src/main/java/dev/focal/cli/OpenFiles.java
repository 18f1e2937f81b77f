package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.Spool;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The files one command has open, each opened once however many of its tensors are read (a
 * bundle's logits, targets and weights), and closed together at the end: their tensors may be
 * memory-mapped, so they live as long as the command's work.
 */
final class OpenFiles implements AutoCloseable {
    private final List<TensorFile> open = new ArrayList<>();

    /**
     * Refuses (usage error) a command line where more than one input reads a standard input that
     * is a stream: it can be read once (docs/commands.md#pipes). {@code null}s are skipped.
     */
    static void stdinOnce(List<TensorRef> inputs) {
        List<String> stdin = inputs.stream().filter(r -> r != null && Spool.readsStdinStream(r.file()))
                .map(TensorRef::toString).collect(Collectors.toList());
        if (stdin.size() > 1) {
            throw FocalException.usage("standard input is named by " + stdin.size() + " inputs ("
                    + String.join(", ", stdin) + "); a pipe can be read once, so give it to one input"
                    + " (a bundle's members are found in it: focal eval -)");
        }
    }

    TensorFile open(String file) {
        for (TensorFile f : open) {
            if (f.name().equals(file)) {
                return f;
            }
        }
        TensorFile f = TensorIO.open(file);
        open.add(f);
        return f;
    }

    Tensor read(TensorRef ref) {
        return open(ref.file()).get(ref.key());
    }

    @Override
    public void close() {
        for (TensorFile f : open) {
            f.close();
        }
    }
}
