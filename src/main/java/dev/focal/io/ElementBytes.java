package dev.focal.io;

import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;

/** A tensor's elements as the formats of raw data store them: C order, little-endian. */
public final class ElementBytes {
    private ElementBytes() {
    }

    /**
     * Writes every element as {@code written}, which is the tensor's dtype or, for bfloat16, the
     * float32 that holds it exactly: its bits are the top half of that float's.
     */
    public static void write(Tensor t, DType written, OutputStream out) throws IOException {
        int item = written.itemSize();
        int widen = 8 * (item - t.dtype().itemSize());
        byte[] buf = new byte[1 << 16];
        int pos = 0;
        long n = t.count();
        for (long i = 0; i < n; i++) {
            long bits = t.rawBits(i) << widen;
            for (int b = 0; b < item; b++) {
                buf[pos++] = (byte) (bits >>> (8 * b));
            }
            if (pos == buf.length) {
                out.write(buf, 0, pos);
                pos = 0;
            }
        }
        out.write(buf, 0, pos);
    }
}
