package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.io.json.JsonFormat;
import dev.focal.io.npy.NpyFormat;
import dev.focal.io.npy.NpzFormat;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Opens, reads and writes tensor files; picks the format by content first, then by extension. */
public final class TensorIO {
    private static final List<TensorFormat> FORMATS = List.of(new NpyFormat(), new NpzFormat(), new JsonFormat());

    private TensorIO() {
    }

    /** Opens a file for reading; every failure is an input error (exit 3) naming the file. */
    public static TensorFile open(String file) {
        Path path = FileNames.path(file, FocalException.INPUT);
        if (!Files.exists(path)) {
            throw FocalException.input(file, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw FocalException.input(file, "is a directory, expected a tensor file");
        }
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw FocalException.input(file, "cannot read: " + IoErrors.describe(e), e);
        }
        if (n == 0) {
            throw FocalException.input(file, "empty file");
        }
        for (TensorFormat f : FORMATS) {
            if (f.matchesContent(head, n)) {
                return f.open(path, file);
            }
        }
        for (TensorFormat f : FORMATS) {
            if (f.matchesExtension(file)) {
                return f.open(path, file);
            }
        }
        throw FocalException.input(file, "not a tensor file (expected .npy, .npz or JSON)");
    }

    /**
     * Reads one tensor. The returned tensor may map the file; the mapping stays valid after
     * this returns (the JVM unmaps it when the tensor is garbage).
     */
    public static Tensor read(TensorRef ref) {
        try (TensorFile f = open(ref.file())) {
            return f.get(ref.key());
        }
    }

    /** Whether a file of this name is, by its extension, of a format that holds bundles (not .npy). */
    public static boolean isBundleName(String fileName) {
        for (TensorFormat f : FORMATS) {
            if (f.matchesExtension(fileName)) {
                return f.holdsBundles();
            }
        }
        return false;
    }

    /** Checks that an output path names a writable format, before any work is done (usage error otherwise). */
    public static void checkOutput(Path out) {
        writer(out);
        AtomicFile.checkWritable(out);
    }

    /** The dtype a tensor of {@code dtype} is written as to {@code out}: bfloat16 widens for .npy. */
    public static DType writtenAs(DType dtype, Path out) {
        return writer(out).writtenAs(dtype);
    }

    /** Writes a tensor atomically, in the format of the output's extension. */
    public static void write(Tensor t, Path out) {
        TensorFormat f = writer(out);
        AtomicFile.write(out, stream -> f.write(t, stream));
    }

    static TensorFormat writer(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        for (TensorFormat f : FORMATS) {
            if (f.canWrite() && f.matchesExtension(name)) {
                return f;
            }
        }
        throw FocalException.usage(out + ": cannot tell the output format; name the file .npy or .json");
    }
}
