package dev.focal.io.safetensors;

import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Hugging Face's .safetensors (docs/commands.md#safetensors): read, and written as the package writes it. */
public final class SafetensorsFormat implements TensorFormat {
    @Override
    public String name() {
        return ".safetensors";
    }

    /**
     * A header length within the cap (so its high bytes are zero, which no JSON or pickle starts
     * with), then the '{' the package's header always starts with.
     */
    @Override
    public boolean matchesContent(byte[] head, int length) {
        if (length < 9 || head[8] != '{') {
            return false;
        }
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = n << 8 | (head[i] & 0xFF);
        }
        return n >= 2 && n <= SafetensorsHeader.MAX_HEADER;
    }

    @Override
    public boolean matchesExtension(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    @Override
    public TensorFile open(Path path, String name) {
        return SafetensorsFile.open(path, name);
    }

    @Override
    public boolean canWrite() {
        return true;
    }

    @Override
    public boolean writesBundles() {
        return true;
    }

    @Override
    public void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        SafetensorsWriter.write(tensors, metadata, out);
    }
}
