package dev.focal.io.safetensors;

import dev.focal.io.ElementBytes;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as the safetensors package's {@code save_file} does, byte for byte: tensors by
 * descending dtype alignment then by name (bytewise UTF-8, as Rust orders strings), the header as
 * serde_json prints it, padded with spaces to a multiple of 8 (docs/commands.md#safetensors).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} under their keys, and {@code metadata} (when not empty) as the
     * header's {@code __metadata__}, its keys sorted: the package writes them in hash order, so
     * its files are byte for byte ours when they have at most one. The stream is left open.
     */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        order.sort(Comparator.<Map.Entry<String, Tensor>, SafetensorsDType>comparing(
                e -> SafetensorsDType.of(e.getValue().dtype())).reversed()
                .thenComparing(Map.Entry::getKey, SafetensorsWriter::utf8Order));
        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            string(h, SafetensorsHeader.METADATA);
            h.append(":{");
            metadata.entrySet().stream().sorted(Map.Entry.comparingByKey(SafetensorsWriter::utf8Order)).forEach(m -> {
                if (h.charAt(h.length() - 1) != '{') {
                    h.append(',');
                }
                string(h, m.getKey());
                h.append(':');
                string(h, m.getValue());
            });
            h.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long bytes = Math.multiplyExact(t.count(), (long) t.dtype().itemSize());
            if (h.length() > 1) {
                h.append(',');
            }
            string(h, e.getKey());
            h.append(":{\"dtype\":");
            string(h, SafetensorsDType.of(t.dtype()).name());
            h.append(",\"shape\":").append(SafetensorsHeader.shape(t.shape().dims()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        byte[] text = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) & ~7;
        ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(prefix.array());
        out.write(text);
        out.write(" ".repeat(padded - text.length).getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, Tensor> e : order) {
            ElementBytes.write(e.getValue(), e.getValue().dtype(), out);
        }
    }

    /** Rust's order of strings: by UTF-8 bytes, which is by code point (not by UTF-16 unit, as compareTo). */
    private static int utf8Order(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** A JSON string as serde_json writes it: only quote, backslash and control characters escaped. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}
