package dev.focal.io.safetensors;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An open .safetensors file. The whole header is checked when it opens; a tensor is mapped from
 * the file only on {@link #get}, so a multi-GiB file costs no heap, and a tensor of a dtype focal
 * does not read spoils only itself. Tensors outlive {@link #close}.
 */
public final class SafetensorsFile implements TensorFile {
    /** Messages list this many keys at most. */
    private static final int LISTED = 10;

    private final String name;
    private final FileChannel channel;
    private final SafetensorsHeader header;

    private SafetensorsFile(String name, FileChannel channel, SafetensorsHeader header) {
        this.name = name;
        this.channel = channel;
        this.header = header;
    }

    /** Opens and checks the file; failures are input errors (exit 3) naming it. */
    public static SafetensorsFile open(Path path, String name) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return new SafetensorsFile(name, ch, SafetensorsHeader.read(name, ch));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Keys in the order of their data, which is the order the safetensors package writes them. */
    @Override
    public List<String> keys() {
        return header.entries.stream().map(SafetensorsHeader.Entry::key).toList();
    }

    /** The header's {@code __metadata__}, in file order; empty when it has none. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    @Override
    public Tensor get(String key) {
        SafetensorsHeader.Entry e = key == null ? only() : header.byKey.get(key);
        if (e == null) {
            throw FocalException.input(name, "no tensor '" + IoErrors.shown(key) + "' (has: " + listing() + ")");
        }
        String where = name + ":" + IoErrors.shown(e.key());
        if (e.dtype().focal() == null) {
            throw FocalException.input(where, "unsupported dtype " + e.dtype().name() + "; focal reads "
                    + SafetensorsDType.READABLE);
        }
        long size = e.end() - e.begin();
        try {
            Storage storage = size == 0
                    ? Storage.allocate(0, ByteOrder.LITTLE_ENDIAN)
                    : Storage.map(channel, header.dataStart + e.begin(), size, ByteOrder.LITTLE_ENDIAN);
            return new Tensor(e.dtype().focal(), Shape.of(e.shape()), false, storage);
        } catch (IOException x) {
            throw FocalException.input(where, "cannot read: " + IoErrors.describe(x), x);
        }
    }

    private SafetensorsHeader.Entry only() {
        if (header.entries.size() == 1) {
            return header.entries.get(0);
        }
        throw FocalException.input(name, "holds " + header.entries.size() + " tensors (" + listing()
                + "): name one as FILE:KEY");
    }

    private String listing() {
        List<String> keys = keys();
        String shown = keys.stream().limit(LISTED).map(IoErrors::shown).collect(Collectors.joining(", "));
        return keys.size() <= LISTED ? shown : shown + " and " + (keys.size() - LISTED) + " more";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing was written through the channel, so a failed close loses nothing.
        }
    }
}
