package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.io.json.JsonFormat;
import dev.focal.io.npy.NpyFormat;
import dev.focal.io.npy.NpzFormat;
import dev.focal.io.pickle.PickleFormat;
import dev.focal.io.safetensors.SafetensorsFormat;
import dev.focal.io.torch.TorchFormat;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Opens, reads and writes tensor files; picks the format by content first, then by extension. */
public final class TensorIO {
    /**
     * In the order their content is tried: a torch zip before any other zip, a legacy .pt before
     * any pickle, safetensors before a pickle (a header length cannot start 0x80 0x02-0x05 with
     * zeros up to the '{' at byte 8 where a pickle's frame or opcodes are) and before JSON (a
     * header length's low byte may be any character JSON starts with).
     */
    private static final List<TensorFormat> FORMATS = List.of(new NpyFormat(), new TorchFormat(), new NpzFormat(),
            new SafetensorsFormat(), new PickleFormat(), new JsonFormat());
    /** Enough for a zip's first member name, and for the tar magic at byte 257. */
    private static final int HEAD = 512;

    private TensorIO() {
    }

    /**
     * Opens a file for reading; every failure is an input error (exit 3) naming the file. {@code -}
     * is standard input; it and other pipes are read through a copy (docs/commands.md#pipes).
     */
    public static TensorFile open(String file) {
        return open(file, Spool.STDIN_PATH, System.in);
    }

    /** As {@link #open(String)}, with standard input's path ({@link Spool#STDIN_PATH}) and stream given. */
    static TensorFile open(String file, Path stdinPath, InputStream stdin) {
        if (file.equals(Spool.STDIN)) {
            return Files.isRegularFile(stdinPath) ? openFile(stdinPath, file)
                    : Spool.open(stdin, file, TensorIO::openFile);
        }
        Path path = FileNames.path(file, FocalException.INPUT);
        if (!Files.exists(path)) {
            throw FocalException.input(file, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw FocalException.input(file, "is a directory, expected a tensor file");
        }
        if (Spool.needed(path, file)) {
            try (InputStream in = Files.newInputStream(path)) {
                return Spool.open(in, file, TensorIO::openFile);
            } catch (IOException e) {
                throw FocalException.input(file, "cannot read: " + IoErrors.describe(e), e);
            }
        }
        return openFile(path, file);
    }

    /** Opens a file that can be read more than once, by its first bytes, else by its name's extension. */
    static TensorFile openFile(Path path, String file) {
        byte[] head = new byte[HEAD];
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
        throw FocalException.input(file,
                "not a tensor file (expected .npy, .npz, .safetensors, .pt/.pth, .pkl, or JSON)");
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

    /**
     * Writes a tensor atomically, in the format of the output's extension; a format of named
     * tensors gets it under the output's name without its extension.
     */
    public static void write(Tensor t, Path out) {
        TensorFormat f = writer(out);
        if (f.writesBundles()) {
            write(Map.of(stem(out.getFileName().toString()), t), Map.of(), out);
        } else {
            AtomicFile.write(out, stream -> f.write(t, stream));
        }
    }

    /** Whether {@code out}'s format holds named tensors, written by {@link #write(Map, Map, Path)}. */
    public static boolean writesBundles(Path out) {
        return writer(out).writesBundles();
    }

    /** Writes named tensors, and the metadata the format keeps, atomically; {@code out}'s format must hold them. */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path out) {
        TensorFormat f = writer(out);
        AtomicFile.write(out, stream -> f.write(tensors, metadata, stream));
    }

    /** A file name without its directory and its last extension: the name a lone tensor is stored under. */
    public static String stem(String file) {
        String name = Path.of(file).getFileName() == null ? file : Path.of(file).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    static TensorFormat writer(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        for (TensorFormat f : FORMATS) {
            if (f.canWrite() && f.matchesExtension(name)) {
                return f;
            }
        }
        throw FocalException.usage(out + ": cannot tell the output format; name the file .npy, .json or"
                + " .safetensors");
    }
}
