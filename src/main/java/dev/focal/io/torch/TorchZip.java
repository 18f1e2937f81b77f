package dev.focal.io.torch;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.pickle.PickleLimits;
import dev.focal.io.pickle.PickledFile;
import dev.focal.io.pickle.Unpickler;
import dev.focal.io.zip.ZipDirectory;
import dev.focal.io.zip.ZipMember;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * torch.save's zip format (PyTorch 1.6 and later): STORED records under one top folder,
 * {@code data.pkl} the object, {@code data/KEY} each storage, {@code byteorder} when not little.
 * Records are located through the zip's central directory and mapped in place.
 */
final class TorchZip implements Storages {
    private final String name;
    private final FileChannel channel;
    private final String prefix;
    private final Map<String, ZipMember> members = new HashMap<>();
    private final Map<String, ByteSource> read = new HashMap<>();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private TorchZip(String name, FileChannel channel, String prefix) {
        this.name = name;
        this.channel = channel;
        this.prefix = prefix;
    }

    /** Reads the archive open on {@code channel}; the file then owns the channel. */
    static TensorFile open(String name, FileChannel channel, Runnable onClose) throws IOException {
        var list = ZipDirectory.read(name, channel);
        if (list.isEmpty()) {
            throw FocalException.input(name, "an empty zip archive, not a torch.save file");
        }
        String first = list.get(0).name();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw FocalException.input(name, "zip member " + IoErrors.shown(first)
                    + " is in no folder: not a torch.save archive");
        }
        TorchZip zip = new TorchZip(name, channel, first.substring(0, slash + 1));
        for (ZipMember m : list) {
            zip.members.put(m.name(), m);
        }
        ZipMember byteorder = zip.members.get(zip.prefix + "byteorder");
        if (byteorder != null) {
            String text = zip.text(zip.record(byteorder));
            if (text.equals("big")) {
                zip.order = ByteOrder.BIG_ENDIAN;
            } else if (!text.equals("little")) {
                throw FocalException.input(name, "byteorder record says '" + IoErrors.shown(text)
                        + "', not little or big");
            }
        }
        ZipMember data = zip.members.get(zip.prefix + "data.pkl");
        if (data == null) {
            throw FocalException.input(name, "no " + IoErrors.shown(zip.prefix) + "data.pkl record: not a torch.save"
                    + " archive, or a truncated one");
        }
        TorchPolicy policy = new TorchPolicy(zip, PickleLimits.DEFAULT, 5);
        Object root = Unpickler.load(name, zip.record(data), 0, policy, PickleLimits.DEFAULT).value();
        return PickledFile.of(name, root, PickleLimits.DEFAULT, onClose);
    }

    /** A record's bytes in place; torch.save stores every record uncompressed. */
    private ByteSource record(ZipMember m) throws IOException {
        if (m.method() != ZipMember.STORED || m.encrypted()) {
            throw m.error(name, "compressed or encrypted (method " + m.method()
                    + "); torch.save stores its records");
        }
        if (m.size() != m.compressedSize()) {
            throw m.error(name, "stored, yet declares " + m.size() + " bytes uncompressed and "
                    + m.compressedSize() + " compressed");
        }
        return ByteSource.of(channel, ZipDirectory.dataStart(name, channel, m), m.size());
    }

    private String text(ByteSource b) throws IOException {
        if (b.size() > 16) {
            throw FocalException.input(name, "byteorder record of " + b.size() + " bytes");
        }
        return new String(b.bytes(0, (int) b.size()).array(), StandardCharsets.US_ASCII).strip();
    }

    @Override
    public ByteSource bytes(StorageRef ref) {
        ByteSource b = read.get(ref.key());
        if (b == null) {
            String path = prefix + "data/" + ref.key();
            ZipMember m = members.get(path);
            if (m == null) {
                throw FocalException.input(name, "no storage record " + IoErrors.shown(path)
                        + " (a truncated or corrupt archive)");
            }
            try {
                b = record(m);
            } catch (IOException e) {
                throw m.error(name, "cannot read: " + IoErrors.describe(e));
            }
            Legacy.checkLength(name, ref, b.size());
            read.put(ref.key(), b);
        }
        return b;
    }

    @Override
    public ByteOrder order() {
        return order;
    }
}
