package dev.focal.io.torch;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.pickle.PickleLimits;
import dev.focal.io.pickle.TensorLeaf;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import java.io.IOException;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, sizes,
 * strides, in elements) of a storage. Every element the view can reach is checked to lie inside
 * the storage before a byte is read (docs/formats.md#tensors). A contiguous view (C or Fortran
 * order) maps the file in place; any other is copied, in C order, onto the heap.
 */
final class TorchTensor implements TensorLeaf {
    private final StorageRef storage;
    private final DType dtype;
    private final String typeName;
    private final long offset;
    private final long[] sizes;
    private final long[] strides;
    private final Storages storages;
    private final PickleLimits limits;

    TorchTensor(StorageRef storage, DType dtype, String typeName, long offset, long[] sizes, long[] strides,
                Storages storages, PickleLimits limits) {
        this.storage = storage;
        this.dtype = dtype;
        this.typeName = typeName;
        this.offset = offset;
        this.sizes = sizes;
        this.strides = strides;
        this.storages = storages;
        this.limits = limits;
    }

    @Override
    public Tensor tensor(String display) {
        if (dtype == null) {
            throw FocalException.input(display, "unsupported dtype " + IoErrors.shown(typeName)
                    + "; focal reads bool, uint8, int8..int64, float16, bfloat16, float32 and float64");
        }
        Shape shape;
        try {
            shape = Shape.of(sizes);
        } catch (IllegalArgumentException e) {
            throw FocalException.input(display, "sizes " + Shape.indexString(sizes) + ": " + e.getMessage());
        }
        int item = dtype.itemSize();
        // A tensor's dtype differs from its storage's only on a storage of bytes (TorchPolicy.tensor).
        long numel = storage.dtype() == dtype ? storage.numel() : storage.numel() / item;
        long last = lastElement(display, shape);
        if (last >= numel) {
            throw FocalException.input(display, "view (offset " + offset + ", sizes " + Shape.indexString(sizes)
                    + ", strides " + Shape.indexString(strides) + ") reaches element " + last + " of storage '"
                    + IoErrors.shown(storage.key()) + "', which holds " + numel);
        }
        ByteSource bytes = storages.bytes(storage);
        try {
            if (shape.count() == 0) {
                return new Tensor(dtype, shape, false, Storage.allocate(0, storages.order()));
            }
            long length = shape.count() * item;
            if (contiguous(shape.cStrides())) {
                return new Tensor(dtype, shape, false, bytes.storage(offset * item, length, storages.order()));
            }
            if (contiguous(shape.fStrides())) {
                return new Tensor(dtype, shape, true, bytes.storage(offset * item, length, storages.order()));
            }
            if (length > limits.maxCopy()) {
                throw FocalException.input(display, "a strided view of " + length + " bytes, over the "
                        + limits.maxCopy() + " focal copies to make it contiguous; save t.contiguous() instead");
            }
            Tensor whole = new Tensor(dtype, Shape.of(last + 1), false,
                    bytes.storage(0, (last + 1) * item, storages.order()));
            return gather(whole, shape);
        } catch (IOException e) {
            throw FocalException.input(display, "cannot read: " + IoErrors.describe(e), e);
        }
    }

    /** The storage index of the view's last-reached element; -1 for an empty view. */
    private long lastElement(String display, Shape shape) {
        if (offset < 0) {
            throw FocalException.input(display, "negative storage offset " + offset);
        }
        if (shape.count() == 0) {
            return -1;
        }
        long last = offset;
        try {
            for (int i = 0; i < sizes.length; i++) {
                if (strides[i] < 0) {
                    throw FocalException.input(display, "negative stride " + strides[i] + " in strides "
                            + Shape.indexString(strides));
                }
                last = Math.addExact(last, Math.multiplyExact(sizes[i] - 1, strides[i]));
            }
        } catch (ArithmeticException e) {
            throw FocalException.input(display, "view (offset " + offset + ", sizes " + Shape.indexString(sizes)
                    + ", strides " + Shape.indexString(strides) + ") reaches past 2^63 elements");
        }
        return last;
    }

    /** Whether the strides are {@code expected} wherever they matter (axes longer than 1). */
    private boolean contiguous(long[] expected) {
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > 1 && strides[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The view's elements in C order, copied from {@code whole} (the storage up to the last one reached). */
    private Tensor gather(Tensor whole, Shape shape) {
        Tensor out = Tensor.allocate(dtype, shape);
        long[] index = new long[sizes.length];
        long at = offset;
        for (long i = 0; i < shape.count(); i++) {
            out.setRawBits(i, whole.rawBits(at));
            for (int axis = sizes.length - 1; axis >= 0; axis--) {
                if (++index[axis] < sizes[axis]) {
                    at += strides[axis];
                    break;
                }
                at -= (sizes[axis] - 1) * strides[axis];
                index[axis] = 0;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "a tensor";
    }
}
