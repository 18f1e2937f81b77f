package dev.focal.io.torch;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code torch.save} writes (docs/formats.md#pytorch): the zip format, told from an .npz by
 * its first record's name, and the legacy format, by its first bytes; the tar format of PyTorch
 * before 0.1.10 is recognised only to be refused.
 */
public final class TorchFormat implements TensorFormat {
    /** PROTO 2, then LONG1 of 10 bytes: the legacy format's magic number. */
    private static final byte[] LEGACY = {(byte) 0x80, 2, (byte) 0x8a, 10};
    /** Records torch.save writes in its folder; the first one names the folder. */
    private static final Set<String> RECORDS = Set.of("data.pkl", "version", ".format_version", "byteorder",
            ".data/serialization_id", ".storage_alignment");
    private static final int TAR_MAGIC_AT = 257;

    @Override
    public String name() {
        return "PyTorch";
    }

    @Override
    public boolean matchesContent(byte[] head, int length) {
        return kind(head, length) != Kind.OTHER;
    }

    private enum Kind { ZIP, LEGACY, TAR, OTHER }

    private static Kind kind(byte[] head, int length) {
        if (length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4 && length >= 30) {
            int nameLength = (head[26] & 0xFF) | (head[27] & 0xFF) << 8;
            if (30 + nameLength <= length) {
                String first = new String(head, 30, nameLength, StandardCharsets.UTF_8);
                int slash = first.indexOf('/');
                String record = slash < 0 ? "" : first.substring(slash + 1);
                if (slash > 0 && (RECORDS.contains(record) || record.startsWith("data/"))) {
                    return Kind.ZIP;
                }
            }
            return Kind.OTHER;
        }
        if (length >= LEGACY.length && head[0] == LEGACY[0] && head[1] == LEGACY[1] && head[2] == LEGACY[2]
                && head[3] == LEGACY[3]) {
            return Kind.LEGACY;
        }
        if (length >= TAR_MAGIC_AT + 5
                && new String(head, TAR_MAGIC_AT, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return Kind.TAR;
        }
        return Kind.OTHER;
    }

    @Override
    public boolean matchesExtension(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".pt") || n.endsWith(".pth");
    }

    @Override
    public TensorFile open(Path path, String name) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return open(name, ch);
            } catch (IOException | RuntimeException e) {
                close(ch);
                throw e;
            }
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }

    private static TensorFile open(String name, FileChannel ch) throws IOException {
        ByteSource file = ByteSource.of(ch, 0, ch.size());
        ByteBuffer head = file.bytes(0, (int) Math.min(TAR_MAGIC_AT + 5, file.size()));
        switch (kind(head.array(), head.capacity())) {
            case ZIP:
                return TorchZip.open(name, ch, () -> close(ch));
            case LEGACY:
                return Legacy.open(name, file, () -> close(ch));
            case TAR:
                throw FocalException.input(name, "a tar archive: the torch.save format of PyTorch before 0.1.10,"
                        + " which focal does not read (load it with torch and save it again)");
            default:
                if (head.capacity() >= 2 && head.get(0) == 'P' && head.get(1) == 'K') {
                    return TorchZip.open(name, ch, () -> close(ch));
                }
                throw FocalException.input(name, "not a torch.save file (neither its zip format nor its legacy one)");
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Read only: nothing is lost.
        }
    }
}
