package dev.focal.io.pickle;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** numpy arrays pickled by {@code pickle.dump}, protocols 2 to 5 (docs/formats.md#pickled-numpy). */
public final class PickleFormat implements TensorFormat {
    @Override
    public String name() {
        return "pickle";
    }

    /** PROTO 2 to 5, the first opcode every such pickle starts with. */
    @Override
    public boolean matchesContent(byte[] head, int length) {
        return length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5;
    }

    @Override
    public boolean matchesExtension(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".pkl") || n.endsWith(".pickle");
    }

    @Override
    public TensorFile open(Path path, String name) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return read(name, ByteSource.of(ch, 0, ch.size()), 0, () -> close(ch));
            } catch (RuntimeException e) {
                close(ch);
                throw e;
            }
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }

    /**
     * The tensors of the pickle at {@code start} of {@code source} (a .pkl file, or the data of an
     * .npy of the object dtype); {@code onClose} releases the source.
     */
    public static TensorFile read(String name, ByteSource source, long start, Runnable onClose) {
        Object root = Unpickler.load(name, source, start, new NumpyPolicy(), PickleLimits.DEFAULT).value();
        return PickledFile.of(name, root, PickleLimits.DEFAULT, onClose);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Read only: nothing is lost.
        }
    }
}
