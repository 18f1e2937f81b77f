package dev.focal.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Bytes addressed by a long offset, held in fixed-size windows so that files and tensors over
 * 2 GiB work with Java's int-indexed buffers. Windows are heap buffers or memory-mapped regions;
 * since the window size is a power of two of at least 2^20, no element ever straddles two windows.
 */
public final class Storage {
    /** 1 GiB: few mappings for huge files, and a multiple of every item size. */
    static final int WINDOW_SHIFT = 30;

    private final ByteBuffer[] windows;
    private final int shift;
    private final long mask;
    private final long size;

    private Storage(ByteBuffer[] windows, int shift, long size) {
        this.windows = windows;
        this.shift = shift;
        this.mask = (1L << shift) - 1;
        this.size = size;
    }

    /** One buffer as storage (its position 0 is offset 0); the buffer's byte order is used as is. */
    public static Storage wrap(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(buffer.order());
        return new Storage(new ByteBuffer[] {b}, 31, b.capacity());
    }

    /** Zero-filled heap storage of the given size, in windows when it exceeds one buffer. */
    public static Storage allocate(long size, ByteOrder order) {
        return build(size, WINDOW_SHIFT, (start, len) -> ByteBuffer.allocate(len).order(order));
    }

    /** Maps {@code size} bytes of a file from {@code offset}, read-only, in windows. */
    public static Storage map(FileChannel channel, long offset, long size, ByteOrder order) throws IOException {
        try {
            return build(size, WINDOW_SHIFT, (start, len) ->
                    mapWindow(channel, offset + start, len).order(order));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static ByteBuffer mapWindow(FileChannel channel, long position, int len) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface WindowFactory {
        ByteBuffer make(long start, int len);
    }

    private static Storage build(long size, int shift, WindowFactory factory) {
        long window = 1L << shift;
        int n = (int) Math.max(1, (size + window - 1) >>> shift);
        ByteBuffer[] ws = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long start = (long) i << shift;
            ws[i] = factory.make(start, (int) Math.min(window, size - start));
        }
        return new Storage(ws, shift, size);
    }

    public long size() {
        return size;
    }

    private ByteBuffer window(long offset) {
        return windows[(int) (offset >>> shift)];
    }

    private int at(long offset) {
        return (int) (offset & mask);
    }

    public byte getByte(long offset) {
        return window(offset).get(at(offset));
    }

    public short getShort(long offset) {
        return window(offset).getShort(at(offset));
    }

    public int getInt(long offset) {
        return window(offset).getInt(at(offset));
    }

    public long getLong(long offset) {
        return window(offset).getLong(at(offset));
    }

    public float getFloat(long offset) {
        return window(offset).getFloat(at(offset));
    }

    public double getDouble(long offset) {
        return window(offset).getDouble(at(offset));
    }

    /** A bulk copy of {@code k} items between a buffer region (positioned at 0) and an array at {@code arrayOffset}. */
    private interface Segment {
        void copy(ByteBuffer region, int arrayOffset, int k);
    }

    /**
     * Splits {@code n} items of {@code itemSize} bytes from {@code offset} into runs that stay in
     * one window, and hands each run to {@code copy} as a buffer in this storage's byte order (the
     * typed views then swap big-endian data in bulk).
     */
    private void segments(long offset, int itemSize, int n, Segment copy) {
        int done = 0;
        while (done < n) {
            ByteBuffer w = window(offset);
            int at = at(offset);
            int k = Math.min(n - done, (w.capacity() - at) / itemSize);
            copy.copy(w.slice(at, k * itemSize).order(w.order()), done, k);
            offset += (long) k * itemSize;
            done += k;
        }
    }

    /** Reads {@code n} floats from {@code offset} into {@code dst[off..]}, in bulk. */
    public void getFloats(long offset, float[] dst, int off, int n) {
        segments(offset, Float.BYTES, n, (b, i, k) -> b.asFloatBuffer().get(dst, off + i, k));
    }

    /** Reads {@code n} doubles from {@code offset} into {@code dst[off..]}, in bulk. */
    public void getDoubles(long offset, double[] dst, int off, int n) {
        segments(offset, Double.BYTES, n, (b, i, k) -> b.asDoubleBuffer().get(dst, off + i, k));
    }

    /** Writes {@code n} floats from {@code src[off..]} at {@code offset}, in bulk. */
    public void putFloats(long offset, float[] src, int off, int n) {
        segments(offset, Float.BYTES, n, (b, i, k) -> b.asFloatBuffer().put(src, off + i, k));
    }

    /** Writes {@code n} doubles from {@code src[off..]} at {@code offset}, in bulk. */
    public void putDoubles(long offset, double[] src, int off, int n) {
        segments(offset, Double.BYTES, n, (b, i, k) -> b.asDoubleBuffer().put(src, off + i, k));
    }

    public void putByte(long offset, byte v) {
        window(offset).put(at(offset), v);
    }

    public void putShort(long offset, short v) {
        window(offset).putShort(at(offset), v);
    }

    public void putInt(long offset, int v) {
        window(offset).putInt(at(offset), v);
    }

    public void putLong(long offset, long v) {
        window(offset).putLong(at(offset), v);
    }

    public void putFloat(long offset, float v) {
        window(offset).putFloat(at(offset), v);
    }

    public void putDouble(long offset, double v) {
        window(offset).putDouble(at(offset), v);
    }
}
