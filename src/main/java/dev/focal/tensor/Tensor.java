package dev.focal.tensor;

import java.nio.ByteOrder;

/**
 * An n-dimensional array of one numeric dtype over {@link Storage}. Every accessor takes a
 * logical row-major (C-order) flat index, whatever the storage order, so callers never care
 * whether the file was written in Fortran order, or whether the tensor is a view with its axes
 * moved ({@link #moveAxisLast}) or repeated ({@link #expand}).
 */
public final class Tensor implements TensorSink {
    private final DType dtype;
    private final Shape shape;
    private final boolean fortranOrder;
    private final Storage storage;
    /** The shape the storage was laid out for; differs from {@code shape} after a reshape. */
    private final Shape layout;
    /** Element strides over {@code layout}; null when the storage is in C order (the bulk paths' case). */
    private final long[] strides;

    public Tensor(DType dtype, Shape shape, boolean fortranOrder, Storage storage) {
        this(dtype, shape, shape, fortranOrder && shape.rank() > 1, storage,
                fortranOrder && shape.rank() > 1 ? shape.fStrides() : null);
    }

    private Tensor(DType dtype, Shape shape, Shape layout, boolean fortranOrder, Storage storage, long[] strides) {
        this.dtype = dtype;
        this.shape = shape;
        this.layout = layout;
        this.fortranOrder = fortranOrder;
        this.storage = storage;
        this.strides = strides;
    }

    /** A view with another shape of the same count, as numpy's C-order reshape (no copy). */
    public Tensor reshape(Shape newShape) {
        if (newShape.count() != shape.count()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
        }
        return new Tensor(dtype, newShape, layout, fortranOrder, storage, strides);
    }

    /**
     * A view with axis {@code axis} moved to the end and the others in order, as
     * {@code numpy.moveaxis(t, axis, -1)} (no copy): TransFusion's {@code permute(0, 2, 1)}.
     */
    public Tensor moveAxisLast(int axis) {
        int r = shape.rank();
        if (axis == r - 1) {
            return this;
        }
        Shape s = Shape.of(Shape.movedLast(shape.dims(), axis));
        return new Tensor(dtype, s, s, fortranOrder, storage, Shape.movedLast(ownStrides(), axis));
    }

    /**
     * A view repeated along its axes of size 1 to {@code to} (same rank), as numpy's
     * {@code broadcast_to} (no copy): the reference's {@code loss * weights} growing the loss.
     */
    public Tensor expand(Shape to) {
        if (to.equals(shape)) {
            return this;
        }
        long[] from = ownStrides();
        long[] grown = new long[to.rank()];
        for (int k = 0; k < to.rank(); k++) {
            if (shape.dim(k) != to.dim(k) && shape.dim(k) != 1) {
                throw new IllegalArgumentException("cannot expand " + shape + " to " + to);
            }
            grown[k] = shape.dim(k) == to.dim(k) ? from[k] : 0;
        }
        return new Tensor(dtype, to, to, fortranOrder, storage, grown);
    }

    /** Strides over {@code shape} itself: views are made of whole tensors, never of reshaped strided ones. */
    private long[] ownStrides() {
        if (strides == null) {
            return shape.cStrides();
        }
        if (!layout.equals(shape)) {
            throw new IllegalStateException("a view of a reshaped strided tensor");
        }
        return strides.clone();
    }

    /** A zero-filled, writable, C-order little-endian heap tensor. */
    public static Tensor allocate(DType dtype, Shape shape) {
        long bytes = Math.multiplyExact(shape.count(), (long) dtype.itemSize());
        return new Tensor(dtype, shape, false, Storage.allocate(bytes, ByteOrder.LITTLE_ENDIAN));
    }

    /** A float64 tensor holding {@code values} in C order. */
    public static Tensor ofDoubles(Shape shape, double... values) {
        if (shape.count() != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape);
        }
        Tensor t = allocate(DType.FLOAT64, shape);
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** Whether the underlying storage is column-major (as read from a Fortran-order file, or a view of one). */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    public long count() {
        return shape.count();
    }

    private long offset(long index) {
        if (strides == null) {
            return index * dtype.itemSize();
        }
        long storageIndex = 0;
        long rest = index;
        for (int axis = layout.rank() - 1; axis >= 0; axis--) {
            long d = layout.dim(axis);
            storageIndex += (rest % d) * strides[axis];
            rest /= d;
        }
        return storageIndex * dtype.itemSize();
    }

    /** The element as a double (integers over 2^53 are rounded, as numpy's float64 cast does). */
    public double getDouble(long index) {
        long off = offset(index);
        switch (dtype) {
            case FLOAT32: return storage.getFloat(off);
            case FLOAT64: return storage.getDouble(off);
            case FLOAT16: return Half.toFloat(storage.getShort(off));
            case BFLOAT16: return BFloat16.toFloat(storage.getShort(off));
            case BOOL: return storage.getByte(off) != 0 ? 1.0 : 0.0;
            case UINT64: {
                long v = storage.getLong(off);
                return v >= 0 ? v : (double) (v >>> 1 | (v & 1)) * 2.0;
            }
            default: return getLong(index);
        }
    }

    /**
     * The element as an integer: exact for every integer dtype (uint64 returns its bit pattern,
     * read it with {@link Long#toUnsignedString}); floats are truncated toward zero.
     */
    public long getLong(long index) {
        long off = offset(index);
        switch (dtype) {
            case BOOL: return storage.getByte(off) != 0 ? 1 : 0;
            case INT8: return storage.getByte(off);
            case UINT8: return storage.getByte(off) & 0xFFL;
            case INT16: return storage.getShort(off);
            case UINT16: return storage.getShort(off) & 0xFFFFL;
            case INT32: return storage.getInt(off);
            case UINT32: return storage.getInt(off) & 0xFFFFFFFFL;
            case INT64: case UINT64: return storage.getLong(off);
            default: return (long) getDouble(index);
        }
    }

    /** The element's bits, zero-extended: copying these keeps NaN payloads, -0.0 and uint64 exact. */
    public long rawBits(long index) {
        long off = offset(index);
        switch (dtype.itemSize()) {
            case 1: return storage.getByte(off) & 0xFFL;
            case 2: return storage.getShort(off) & 0xFFFFL;
            case 4: return storage.getInt(off) & 0xFFFFFFFFL;
            default: return storage.getLong(off);
        }
    }

    /**
     * Reads {@code n} elements from C-order index {@code start} as doubles into {@code dst}. Bulk
     * for C-order float32 and float64 storage (the kernel's hot path); element-wise otherwise.
     * {@code scratch} holds at least n floats, so the hot path does not allocate.
     */
    public void readDoubles(long start, double[] dst, int n, float[] scratch) {
        if (strides == null && dtype == DType.FLOAT32) {
            storage.getFloats(start * Float.BYTES, scratch, 0, n);
            for (int i = 0; i < n; i++) {
                dst[i] = scratch[i];
            }
        } else if (strides == null && dtype == DType.FLOAT64) {
            storage.getDoubles(start * Double.BYTES, dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = getDouble(start + i);
            }
        }
    }

    /**
     * Reads {@code rows} rows of {@code width} elements from C-order index {@code start} as
     * doubles, column by column: {@code dst[c * rows + r]} is element {@code start + r * width + c}.
     * Bulk for C-order float32 storage, through {@code scratch} (at least that many floats) and
     * {@code transposer}; element-wise otherwise.
     */
    public void readColumns(long start, int rows, int width, double[] dst, float[] scratch, Transposer transposer) {
        if (strides == null && dtype == DType.FLOAT32) {
            storage.getFloats(start * Float.BYTES, scratch, 0, rows * width);
            transposer.toColumns(scratch, rows, width, dst);
        } else if (width == 1) {
            readDoubles(start, dst, rows, scratch);
        } else {
            for (int c = 0; c < width; c++) {
                for (int r = 0; r < rows; r++) {
                    dst[c * rows + r] = getDouble(start + (long) r * width + c);
                }
            }
        }
    }

    @Override
    public void writeColumns(long start, double[] columns, int rows, int width) {
        // Element by element: float32 tensors take writeFloats, and the rest are small or slow anyway.
        for (int c = 0; c < width; c++) {
            for (int r = 0; r < rows; r++) {
                setDouble(start + (long) r * width + c, canonical(columns[c * rows + r]));
            }
        }
    }

    private static double canonical(double d) {
        return d == d ? d : Double.NaN;
    }

    @Override
    public void writeFloats(long start, float[] src, int n) {
        if (strides == null && dtype == DType.FLOAT32) {
            storage.putFloats(start * Float.BYTES, src, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                setDouble(start + i, src[i]);
            }
        }
    }

    /** Stores a value, rounding to this tensor's dtype (floats round to nearest, integers truncate). */
    public void setDouble(long index, double value) {
        long off = offset(index);
        switch (dtype) {
            case FLOAT32: storage.putFloat(off, (float) value); break;
            case FLOAT64: storage.putDouble(off, value); break;
            case FLOAT16: storage.putShort(off, Half.fromDouble(value)); break;
            case BFLOAT16: storage.putShort(off, BFloat16.fromDouble(value)); break;
            case BOOL: storage.putByte(off, (byte) (value != 0 ? 1 : 0)); break;
            // Java's cast stops at 2^63 - 1; numpy's goes on to 2^64 - 1.
            case UINT64:
                setRawBits(index, value >= 0x1p63 ? (long) (value - 0x1p63) ^ Long.MIN_VALUE : (long) value);
                break;
            default: setRawBits(index, (long) value);
        }
    }

    /** Stores an element's bits (the low itemSize bytes of {@code bits}). */
    public void setRawBits(long index, long bits) {
        long off = offset(index);
        switch (dtype.itemSize()) {
            case 1: storage.putByte(off, (byte) bits); break;
            case 2: storage.putShort(off, (short) bits); break;
            case 4: storage.putInt(off, (int) bits); break;
            default: storage.putLong(off, bits);
        }
    }
}
