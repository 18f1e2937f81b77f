package dev.focal.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/** .npy files written by the tests themselves: numpy's header, float32 data, sparse zeros. */
final class NpyFiles {
    /** The io tests' fixtures, which numpy wrote (tools/fixtures/npy_fixtures.py). */
    static final Path NPY = Path.of("src/test/resources/io/npy");

    private NpyFiles() {
    }

    /** numpy's version 1.0 header for a C-order 1-D array (padded to 64 bytes, as numpy.save writes it). */
    static byte[] header(String descr, long... shape) {
        String dims = shape.length == 1 ? "(" + shape[0] + ",)"
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }");
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    interface Bits {
        int at(long index);
    }

    /** A float32 .npy of {@code n} elements (1-D unless a shape is given), streamed to disk. */
    static void writeF4(Path file, long n, Bits bits, long... shape) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(header("<f4", shape.length == 0 ? new long[] {n} : shape)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                buf.putInt(bits.at(i));
                if (!buf.hasRemaining()) {
                    ch.write(buf.flip());
                    buf.clear();
                }
            }
            ch.write(buf.flip());
        }
    }

    /** A .npy file of {@code dataBytes} zero bytes after its header, sparse: no disk blocks for the zeros. */
    static void sparse(Path file, byte[] header, long dataBytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + dataBytes);
        }
    }
}
