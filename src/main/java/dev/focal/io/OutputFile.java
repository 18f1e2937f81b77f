package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tensor file written while it is computed: .npy elements go straight to their place in a
 * temporary file beside the target (positional writes, so threads need no ordering and no heap
 * holds the tensor), and {@link #commit} renames it. A full disk is an IOException
 * here, exit 4, where a memory-mapped output would crash the JVM with SIGBUS. Other formats
 * (JSON) are collected on the heap and written at commit. Closing without a commit leaves the
 * target untouched and removes the temporary file.
 */
public abstract class OutputFile implements TensorSink, AutoCloseable {
    final Path target;
    private final DType dtype;
    private final Shape shape;

    private OutputFile(Path target, DType dtype, Shape shape) {
        this.target = target;
        this.dtype = dtype;
        this.shape = shape;
    }

    /** Starts writing a float32 or float64 tensor to {@code target}, format by extension. */
    public static OutputFile create(Path target, DType dtype, Shape shape) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            throw new IllegalArgumentException("streamed outputs are float32 or float64, not " + dtype);
        }
        TensorFormat format = TensorIO.writer(target);
        return format instanceof NpyFormat ? new Npy(target, dtype, shape) : new Buffered(target, dtype, shape);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** Makes the complete file appear under the target name. */
    public abstract void commit();

    @Override
    public abstract void close();

    FocalException failed(IOException e) {
        return FocalException.output(target.toString(), "cannot write: " + IoErrors.describe(e), e);
    }

    private static final class Npy extends OutputFile {
        private final AtomicFile.Pending pending;
        private final FileChannel channel;
        private final long dataStart;

        Npy(Path target, DType dtype, Shape shape) {
            super(target, dtype, shape);
            pending = AtomicFile.create(target);
            try {
                channel = FileChannel.open(pending.path(), StandardOpenOption.WRITE);
                ByteBuffer header = ByteBuffer.wrap(NpyFormat.header(dtype, shape));
                dataStart = header.remaining();
                writeFully(header, 0);
            } catch (IOException e) {
                close();
                throw failed(e);
            }
        }

        /**
         * NaN is written as numpy's {@code np.nan} (0x7fc00000, 0x7ff8000000000000): the sign and
         * payload a NaN picks up in arithmetic depend on the code that computed it (interpreter,
         * C1, C2, vector lanes, so JIT timing), and an output must be the same bytes on every run.
         */
        @Override
        public void writeDoubles(long start, double[] src, int n) {
            int item = dtype().itemSize();
            Scratch scratch = Scratch.of(n);
            ByteBuffer b = scratch.bytes.clear().limit(n * item);
            if (dtype() == DType.FLOAT32) {
                float[] rounded = scratch.floats;
                for (int i = 0; i < n; i++) {
                    float f = (float) src[i];
                    rounded[i] = f == f ? f : Float.NaN;
                }
                b.asFloatBuffer().put(rounded, 0, n);
            } else {
                double[] copy = scratch.doubles;
                for (int i = 0; i < n; i++) {
                    double d = src[i];
                    copy[i] = d == d ? d : Double.NaN;
                }
                b.asDoubleBuffer().put(copy, 0, n);
            }
            try {
                writeFully(b, dataStart + start * item);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        private void writeFully(ByteBuffer b, long position) throws IOException {
            while (b.hasRemaining()) {
                position += channel.write(b, position);
            }
        }

        @Override
        public void commit() {
            try {
                long size = dataStart + shape().count() * dtype().itemSize();
                if (channel.size() != size) {
                    throw new IOException("wrote " + channel.size() + " bytes, expected " + size);
                }
                AtomicFile.force(channel);
                channel.close();
                pending.commit();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the temporary file is deleted next, whatever its state
            }
            pending.close();
        }
    }

    /**
     * A writing thread's arrays, kept across blocks: a fresh array per block would be hundreds of
     * MB of garbage on a big output, each page of it first touched (a page fault) before the
     * collector recycles it. The bytes are a little-endian direct buffer, which a channel writes
     * as it is, where a heap buffer would be copied into one first.
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> MINE = new ThreadLocal<>();
        final float[] floats;
        final double[] doubles;
        final ByteBuffer bytes;

        private Scratch(int n) {
            floats = new float[n];
            doubles = new double[n];
            bytes = ByteBuffer.allocateDirect(n * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }

        static Scratch of(int n) {
            Scratch s = MINE.get();
            if (s == null || s.floats.length < n) {
                s = new Scratch(Math.max(n, 1 << 11));
                MINE.set(s);
            }
            return s;
        }
    }

    private static final class Buffered extends OutputFile {
        private final Tensor tensor;

        Buffered(Path target, DType dtype, Shape shape) {
            super(target, dtype, shape);
            tensor = Tensor.allocate(dtype, shape);
        }

        @Override
        public void writeDoubles(long start, double[] src, int n) {
            tensor.writeDoubles(start, src, n);
        }

        @Override
        public void commit() {
            TensorIO.write(tensor, target);
        }

        @Override
        public void close() {
        }
    }
}
