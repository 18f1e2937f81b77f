package dev.focal.cli;

import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The files one command has open, each opened once however many of its tensors are read (a
 * bundle's logits, targets and weights), and closed together at the end: their tensors may be
 * memory-mapped, so they live as long as the command's work.
 */
final class OpenFiles implements AutoCloseable {
    private final List<TensorFile> open = new ArrayList<>();

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
