package dev.focal.io.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files over 2 GiB and tensors over 2^31 elements, without writing gigabytes: a sparse file
 * under a numpy header that declares the huge shape, with a few values written where windows
 * meet and at the very end.
 */
class LargeFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsValuesBeyondTwoGibibytesInASparseFile() throws IOException {
        long count = (1L << 31) + 1000; // int8: over 2^31 elements and over 2 GiB of data
        Path file = tmp.resolve("huge.npy");
        byte[] header = NpyFormat.header(DType.INT8, Shape.of(count));
        long[] probes = {0, (1L << 30) - 1, 1L << 30, (1L << 31) - 1, 1L << 31, count - 1};
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + count);
            for (int i = 0; i < probes.length; i++) {
                raf.seek(header.length + probes[i]);
                raf.write(i + 1);
            }
        }
        try (TensorFile f = TensorIO.open(file.toString())) {
            Tensor t = f.get(null);
            assertEquals(count, t.count());
            for (int i = 0; i < probes.length; i++) {
                assertEquals(i + 1, t.getLong(probes[i]), "element " + probes[i]);
            }
            assertEquals(0, t.getLong(count - 2));
        }
    }

    @Test
    void bulkReadsCrossWindowBoundaries() throws IOException {
        // float32 values straddling the 1 GiB window boundary must come back in order.
        long count = (1L << 28) + 16; // 1 GiB + 64 bytes of float32
        Path file = tmp.resolve("cross.npy");
        byte[] header = NpyFormat.header(DType.FLOAT32, Shape.of(count));
        long boundary = 1L << 28; // first element of the second window
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + count * 4);
            for (long i = boundary - 4; i < boundary + 4; i++) {
                raf.seek(header.length + i * 4);
                raf.writeInt(Integer.reverseBytes(Float.floatToIntBits(i - boundary + 0.5f)));
            }
        }
        try (TensorFile f = TensorIO.open(file.toString())) {
            double[] got = new double[8];
            f.get(null).readDoubles(boundary - 4, got, 8, new float[8]);
            for (int i = 0; i < 8; i++) {
                assertEquals(i - 4 + 0.5, got[i]);
            }
        }
    }
}
