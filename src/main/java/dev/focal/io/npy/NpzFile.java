package dev.focal.io.npy;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.zip.ZipDirectory;
import dev.focal.io.zip.ZipInflater;
import dev.focal.io.zip.ZipMember;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open .npz. Members are listed when it opens but parsed only on {@link #get}, so one bad
 * member spoils only itself. Tensors map the file or a temporary copy and outlive {@link #close}.
 */
final class NpzFile implements TensorFile {
    private final String name;
    private final FileChannel channel;
    private final Map<String, ZipMember> members;

    private NpzFile(String name, FileChannel channel, Map<String, ZipMember> members) {
        this.name = name;
        this.channel = channel;
        this.members = members;
    }

    /** Reads the directory of the archive open on {@code channel}; the file then owns the channel. */
    static NpzFile open(String name, FileChannel channel) throws IOException {
        Map<String, ZipMember> byKey = new LinkedHashMap<>();
        for (ZipMember m : ZipDirectory.read(name, channel)) {
            String key = key(m.name());
            ZipMember clash = byKey.putIfAbsent(key, m);
            if (clash != null) {
                throw FocalException.input(name, clash.name().equals(m.name())
                        ? "holds member " + IoErrors.shown(m.name()) + " twice"
                        : "members " + IoErrors.shown(clash.name()) + " and " + IoErrors.shown(m.name())
                                + " both give key '" + IoErrors.shown(key) + "'");
            }
        }
        if (byKey.isEmpty()) {
            throw FocalException.input(name, "holds no arrays");
        }
        return new NpzFile(name, channel, byKey);
    }

    /** numpy's key for a member: its name without the {@code .npy} that savez appends. */
    private static String key(String memberName) {
        return memberName.endsWith(".npy") ? memberName.substring(0, memberName.length() - 4) : memberName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> keys() {
        return List.copyOf(members.keySet());
    }

    @Override
    public Tensor get(String key) {
        ZipMember m = key == null ? only() : find(key);
        if (!m.name().endsWith(".npy")) {
            throw m.error(name, "not an array (numpy's savez writes NAME.npy members)");
        }
        if (m.encrypted()) {
            throw m.error(name, "encrypted; focal reads unencrypted archives only");
        }
        if (m.method() != ZipMember.STORED && m.method() != ZipMember.DEFLATED) {
            throw m.error(name, "compression method " + method(m.method())
                    + " is not supported (numpy writes stored (0) or deflated (8) members)");
        }
        String display = name + ":" + IoErrors.shown(key(m.name()));
        try {
            long start = ZipDirectory.dataStart(name, channel, m);
            if (m.method() == ZipMember.DEFLATED) {
                return ZipInflater.read(name, channel, m, start, inflated -> NpyFormat.read(display, inflated));
            }
            if (m.size() != m.compressedSize()) {
                throw m.error(name, "stored, yet declares " + m.size() + " bytes uncompressed and "
                        + m.compressedSize() + " compressed");
            }
            // Mapped in place and read lazily: checking the CRC-32 would read it all up front.
            return NpyFormat.read(display, ByteSource.of(channel, start, m.size()));
        } catch (IOException e) {
            throw m.error(name, "cannot read: " + IoErrors.describe(e));
        }
    }

    private ZipMember only() {
        if (members.size() == 1) {
            return members.values().iterator().next();
        }
        throw FocalException.input(name, "holds " + members.size() + " arrays (" + IoErrors.listing(keys())
                + "): name one as FILE:KEY");
    }

    /** A key, or like numpy a full member name ({@code logits.npy}). */
    private ZipMember find(String key) {
        ZipMember m = members.get(key);
        if (m == null) {
            ZipMember byName = members.get(key(key));
            m = byName != null && byName.name().equals(key) ? byName : null;
        }
        if (m == null) {
            throw FocalException.input(name, "no array '" + IoErrors.shown(key) + "' (has: " + IoErrors.listing(keys()) + ")");
        }
        return m;
    }


    private static String method(int method) {
        switch (method) {
            case 9: return "9 (deflate64)";
            case 12: return "12 (bzip2)";
            case 14: return "14 (LZMA)";
            case 93: return "93 (Zstandard)";
            case 95: return "95 (XZ)";
            default: return Integer.toString(method);
        }
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
