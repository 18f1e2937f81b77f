package dev.focal.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes addressed by a long offset, held in fixed-size windows so that files and tensors over
 * 2 GiB work with Java's int-indexed buffers. Windows are heap buffers or memory-mapped regions;
 * since the window size is a power of two no smaller than the largest item (1 GiB, and a few
 * bytes in the tests of copies across windows), no element ever straddles two windows.
 */
public final class Storage {
    /** 1 GiB: few mappings for huge files, and a multiple of every item size. */
    static final int WINDOW_SHIFT = 30;

    private final ByteBuffer[] windows;
    private final FloatBuffer[] floatViews;
    private final DoubleBuffer[] doubleViews;
    private final int shift;
    private final long mask;
    private final long size;

    private Storage(ByteBuffer[] windows, int shift, long size) {
        this.windows = windows;
        this.floatViews = new FloatBuffer[windows.length];
        this.doubleViews = new DoubleBuffer[windows.length];
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
        return allocate(size, order, WINDOW_SHIFT);
    }

    /** As {@link #allocate(long, ByteOrder)}, in windows of {@code 2^shift} bytes. */
    static Storage allocate(long size, ByteOrder order, int shift) {
        return build(size, shift, (start, len) -> ByteBuffer.allocate(len).order(order));
    }

    /** Maps {@code size} bytes of a file from {@code offset}, read-only, in windows. */
    public static Storage map(FileChannel channel, long offset, long size, ByteOrder order) throws IOException {
        return map(channel, offset, size, order, WINDOW_SHIFT);
    }

    /** As {@link #map(FileChannel, long, long, ByteOrder)}, in windows of {@code 2^shift} bytes. */
    static Storage map(FileChannel channel, long offset, long size, ByteOrder order, int shift) throws IOException {
        try {
            return build(size, shift, (start, len) ->
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

    /*
     * Bulk copies go through a typed view of each window, made at first use and read and written
     * at absolute indices, so a copy makes no buffer objects (a slice and a view per call took
     * more of the C2 compiler's time than any loop of the pass). An item's offset is a multiple
     * of its size (storage starts at a tensor's first element), and so is a window's size.
     */

    private FloatBuffer floats(int window) {
        FloatBuffer v = floatViews[window];
        if (v == null) {
            // Two threads may both make one: either is as good.
            v = windows[window].asFloatBuffer();
            floatViews[window] = v;
        }
        return v;
    }

    private DoubleBuffer doubles(int window) {
        DoubleBuffer v = doubleViews[window];
        if (v == null) {
            v = windows[window].asDoubleBuffer();
            doubleViews[window] = v;
        }
        return v;
    }

    /** Items from {@code offset} that the window holding it has room for, at most {@code n}. */
    private int run(long offset, int itemSize, int n) {
        return Math.min(n, (window(offset).capacity() - at(offset)) / itemSize);
    }

    /** Reads {@code n} floats from {@code offset} into {@code dst[off..]}, in bulk. */
    public void getFloats(long offset, float[] dst, int off, int n) {
        for (int done = 0, k; done < n; done += k, offset += (long) k * Float.BYTES) {
            k = run(offset, Float.BYTES, n - done);
            floats((int) (offset >>> shift)).get(at(offset) / Float.BYTES, dst, off + done, k);
        }
    }

    /** Reads {@code n} doubles from {@code offset} into {@code dst[off..]}, in bulk. */
    public void getDoubles(long offset, double[] dst, int off, int n) {
        for (int done = 0, k; done < n; done += k, offset += (long) k * Double.BYTES) {
            k = run(offset, Double.BYTES, n - done);
            doubles((int) (offset >>> shift)).get(at(offset) / Double.BYTES, dst, off + done, k);
        }
    }

    /** Writes {@code n} floats from {@code src[off..]} at {@code offset}, in bulk. */
    public void putFloats(long offset, float[] src, int off, int n) {
        for (int done = 0, k; done < n; done += k, offset += (long) k * Float.BYTES) {
            k = run(offset, Float.BYTES, n - done);
            floats((int) (offset >>> shift)).put(at(offset) / Float.BYTES, src, off + done, k);
        }
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
