package dev.focal.tensor;

import java.util.Arrays;

/** An immutable tensor shape; the element count is checked for overflow when the shape is made. */
public final class Shape {
    private final long[] dims;
    private final long count;

    private Shape(long[] dims) {
        long c = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + format(dims));
            }
            try {
                c = Math.multiplyExact(c, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + format(dims) + " has more than 2^63 elements");
            }
        }
        this.dims = dims;
        this.count = c;
    }

    /** Makes a shape; throws IllegalArgumentException for negative sizes or an element count over 2^63 - 1. */
    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    /** {@code values}, one per axis, with axis {@code axis}'s moved to the end and the others in order. */
    public static long[] movedLast(long[] values, int axis) {
        long[] moved = new long[values.length];
        for (int k = 0, j = 0; k < values.length; k++) {
            if (k != axis) {
                moved[j++] = values[k];
            }
        }
        moved[values.length - 1] = values[axis];
        return moved;
    }

    public static Shape scalar() {
        return new Shape(new long[0]);
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis];
    }

    public long[] dims() {
        return dims.clone();
    }

    public long count() {
        return count;
    }

    /** Row-major (C-order) strides in elements. */
    public long[] cStrides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Column-major (Fortran-order) strides in elements. */
    public long[] fStrides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = 0; i < dims.length; i++) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** The multi-dimensional index of a C-order flat index. */
    public long[] unravel(long flat) {
        long[] idx = new long[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            if (dims[i] > 0) {
                idx[i] = flat % dims[i];
                flat /= dims[i];
            }
        }
        return idx;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Python's tuple notation, as numpy prints shapes: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    @Override
    public String toString() {
        return format(dims);
    }

    static String format(long[] dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i]);
        }
        if (dims.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }

    /** List notation for JSON and index reports: {@code [2, 3]}. */
    public static String indexString(long[] idx) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < idx.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(idx[i]);
        }
        return sb.append(']').toString();
    }
}
