package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.io.npy.NpyFormat;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import dev.focal.tensor.Transposer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor file written while it is computed: .npy elements go straight to their place in a
 * temporary file beside the target (positional writes, so threads need no ordering and no heap
 * holds the tensor), and {@link #commit} renames it. A full disk is an IOException
 * here, exit 4, where a memory-mapped output would crash the JVM with SIGBUS. Other formats
 * (JSON) are collected on the heap and written at commit. Closing without a commit leaves the
 * target untouched and removes the temporary file.
 */
public abstract class OutputFile implements TensorSink, AutoCloseable {
    /** Bytes a writing thread gathers before it writes them: 32 blocks of float32. */
    static final int BATCH_BYTES = 1 << 18;
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
        /** Each writing thread's batch, and all of them, for the commit to write what they still hold. */
        private final ThreadLocal<Batch> batch = new ThreadLocal<>();
        private final List<Batch> batches = new ArrayList<>();

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

        @Override
        public void writeColumns(long start, double[] columns, int rows, int width) {
            int n = rows * width;
            if (dtype() == DType.FLOAT32) {
                // The pass hands a float32 output rows it rounded (writeFloats); this is for the rest.
                float[] rounded = new float[n];
                Transposer.SCALAR.toRows(columns, rows, width, rounded);
                writeFloats(start, rounded, n);
                return;
            }
            Batch b = reserve(start, n);
            for (int c = 0; c < width; c++) {
                for (int r = 0, i = c, o = c * rows; r < rows; r++, i += width) {
                    double d = columns[o + r];
                    b.doubles[i] = d == d ? d : Double.NaN;
                }
            }
            b.bytes.asDoubleBuffer().put(b.doubles, 0, n);
            b.bytes.position(b.bytes.position() + n * Double.BYTES);
        }

        @Override
        public void writeFloats(long start, float[] src, int n) {
            if (dtype() != DType.FLOAT32) {
                throw new IllegalStateException("floats for a " + dtype() + " output");
            }
            Batch b = reserve(start, n);
            b.bytes.asFloatBuffer().put(src, 0, n);
            b.bytes.position(b.bytes.position() + n * Float.BYTES);
        }

        /**
         * This thread's batch, ready to take {@code n} elements from index {@code start} at its
         * position: what it held is written first unless they follow it and fit.
         */
        private Batch reserve(long start, int n) {
            int item = dtype().itemSize();
            Batch b = batch(n);
            long position = dataStart + start * item;
            try {
                if (b.bytes.position() > 0
                        && (b.position + b.bytes.position() != position || b.bytes.remaining() < n * item)) {
                    b.flush();
                }
            } catch (IOException e) {
                throw failed(e);
            }
            if (b.bytes.position() == 0) {
                b.position = position;
            }
            return b;
        }

        private Batch batch(int n) {
            Batch b = batch.get();
            if (b == null || b.capacity() < n) {
                if (b != null) {
                    try {
                        b.flush();
                    } catch (IOException e) {
                        throw failed(e);
                    }
                }
                b = new Batch(Math.max(n, BATCH_BYTES / dtype().itemSize()));
                batch.set(b);
                synchronized (batches) {
                    batches.add(b);
                }
            }
            return b;
        }

        private void writeFully(ByteBuffer b, long position) throws IOException {
            while (b.hasRemaining()) {
                position += channel.write(b, position);
            }
        }

        /**
         * One writing thread's elements not yet in the file: adjacent blocks are gathered and
         * written together, since a write per block would be a system call per 8 KB, and threads
         * writing one file queue on its lock. The bytes are a little-endian direct buffer, which a
         * channel writes as it is, where a heap buffer would be copied into one first; its buffers
         * are kept across blocks, since fresh ones would be hundreds of MB of garbage on a big output.
         */
        private final class Batch {
            /** A float64 block as it is written (float32 blocks arrive rounded); null for float32. */
            final double[] doubles;
            final ByteBuffer bytes;
            /** Where bytes[0] goes in the file. */
            long position;

            Batch(int elements) {
                doubles = dtype() == DType.FLOAT32 ? null : new double[elements];
                bytes = ByteBuffer.allocateDirect(Math.max(BATCH_BYTES, elements * dtype().itemSize()))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }

            int capacity() {
                return bytes.capacity() / dtype().itemSize();
            }

            void flush() throws IOException {
                bytes.flip();
                writeFully(bytes, position);
                bytes.clear();
            }
        }

        @Override
        public void commit() {
            try {
                // The writing threads have finished (their evaluation returned): their batches are ours.
                synchronized (batches) {
                    for (Batch b : batches) {
                        b.flush();
                    }
                }
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

    private static final class Buffered extends OutputFile {
        private final Tensor tensor;

        Buffered(Path target, DType dtype, Shape shape) {
            super(target, dtype, shape);
            try {
                tensor = Tensor.allocate(dtype, shape);
            } catch (OutOfMemoryError e) {
                throw FocalException.output(target.toString(), shape.count() + " values are too many for a JSON"
                        + " output, which is built on the heap (" + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB): name it .npy, which is written straight to disk, or give the JVM more heap"
                        + " (JAVA_OPTS=-Xmx8g)", e);
            }
        }

        @Override
        public void writeColumns(long start, double[] columns, int rows, int width) {
            tensor.writeColumns(start, columns, rows, width);
        }

        @Override
        public void writeFloats(long start, float[] src, int n) {
            tensor.writeFloats(start, src, n);
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
