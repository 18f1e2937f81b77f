package dev.focal.io.npy;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * numpy's .npz: a zip of {@code NAME.npy} members, stored by {@code np.savez} or deflated by
 * {@code np.savez_compressed}, read without loading the file onto the heap. Read only.
 */
public final class NpzFormat implements TensorFormat {
    @Override
    public String name() {
        return ".npz";
    }

    /** A local file header, or the end record that is all an empty archive holds. */
    @Override
    public boolean matchesContent(byte[] head, int length) {
        return length >= 4 && head[0] == 'P' && head[1] == 'K'
                && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6);
    }

    @Override
    public boolean matchesExtension(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".npz");
    }

    @Override
    public TensorFile open(Path path, String name) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return NpzFile.open(name, ch);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }
}
