package dev.focal.io.pickle;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * numpy arrays as {@code pickle.dump} and {@code np.save} of an object array write them: the
 * globals numpy's own reduce methods name, and nothing else (docs/formats.md#the-allowlist).
 * Protocol 2 carries array bytes as latin-1 text through {@code _codecs.encode}; protocol 5 as a
 * bytearray through {@code _frombuffer}; the rest as bytes after {@code _reconstruct}.
 */
public class NumpyPolicy extends PlainPolicy {
    private enum Global { RECONSTRUCT, NDARRAY, DTYPE, ENCODE, FROMBUFFER, ORDERED_DICT, BYTES }

    @Override
    public Object global(String module, String name) throws Refusal {
        String full = module + "." + name;
        switch (full) {
            case "numpy.core.multiarray._reconstruct":
            case "numpy._core.multiarray._reconstruct":
                return Global.RECONSTRUCT;
            case "numpy.ndarray":
                return Global.NDARRAY;
            case "numpy.dtype":
                return Global.DTYPE;
            case "_codecs.encode":
                return Global.ENCODE;
            case "numpy.core.numeric._frombuffer":
            case "numpy._core.numeric._frombuffer":
                return Global.FROMBUFFER;
            case "collections.OrderedDict":
                return Global.ORDERED_DICT;
            // Protocol 2 writes empty bytes (an empty array's data) as bytes(), not _codecs.encode.
            case "builtins.bytes":
            case "__builtin__.bytes":
                return Global.BYTES;
            default:
                throw refused(module, name);
        }
    }

    @Override
    public Object call(Object callable, List<Object> args) throws Refusal {
        if (callable == Global.ORDERED_DICT && args.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (callable == Global.BYTES && args.isEmpty()) {
            return latin1("");
        }
        if (callable == Global.RECONSTRUCT && args.size() == 3 && args.get(0) == Global.NDARRAY) {
            return new NdArray();
        }
        if (callable == Global.DTYPE && args.size() == 3 && args.get(0) instanceof String) {
            return new NumpyDType((String) args.get(0));
        }
        if (callable == Global.ENCODE && args.size() == 2 && args.get(0) instanceof String
                && "latin1".equals(args.get(1))) {
            return latin1((String) args.get(0));
        }
        if (callable == Global.FROMBUFFER && args.size() == 4 && args.get(0) instanceof PickleBytes
                && args.get(1) instanceof NumpyDType && args.get(2) instanceof Tuple) {
            NdArray a = new NdArray();
            a.set(shape(args.get(2)), (NumpyDType) args.get(1), "F".equals(args.get(3)), args.get(0));
            return a;
        }
        return super.call(callable, args);
    }

    private static PickleBytes latin1(String s) throws Refusal {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                throw new Refusal("array data encoded as latin-1 holds U+" + Integer.toHexString(c));
            }
            b[i] = (byte) c;
        }
        return new PickleBytes(dev.focal.io.ByteSource.of(java.nio.ByteBuffer.wrap(b)), 0, b.length);
    }

    private static long[] shape(Object v) throws Refusal {
        if (!(v instanceof Tuple) || ((Tuple) v).size() > PickleLimits.DEFAULT.maxRank()) {
            throw new Refusal("an array's shape is " + Unpickler.describe(v));
        }
        Tuple t = (Tuple) v;
        long[] dims = new long[t.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(t.get(i) instanceof Long) || (Long) t.get(i) < 0) {
                throw new Refusal("an array's shape holds " + Unpickler.describe(t.get(i)));
            }
            dims[i] = (Long) t.get(i);
        }
        return dims;
    }

    @Override
    public void build(Object target, Object state) throws Refusal {
        if (target instanceof NumpyDType && state instanceof Tuple && ((Tuple) state).size() >= 2
                && ((Tuple) state).get(1) instanceof String) {
            ((NumpyDType) target).order = (String) ((Tuple) state).get(1);
        } else if (target instanceof NdArray && state instanceof Tuple
                && (((Tuple) state).size() == 5 || ((Tuple) state).size() == 4)) {
            Tuple s = (Tuple) state;
            int o = s.size() - 4;
            if (!(s.get(o + 1) instanceof NumpyDType) || !(s.get(o + 2) instanceof Boolean)) {
                throw new Refusal("an array's state is not numpy's (shape, dtype, fortran, data)");
            }
            ((NdArray) target).set(shape(s.get(o)), (NumpyDType) s.get(o + 1), (Boolean) s.get(o + 2), s.get(o + 3));
        } else if (target instanceof Map && (state == null || state instanceof Map)) {
            return; // an OrderedDict's attributes: not tensors
        } else {
            super.build(target, state);
        }
    }

    /** numpy.dtype(descr) and the byte order its state sets. */
    static final class NumpyDType {
        final String descr;
        String order = "|";

        NumpyDType(String descr) {
            this.descr = descr;
        }

        @Override
        public String toString() {
            return "numpy.dtype('" + IoErrors.shown(descr) + "')";
        }
    }

    /** An ndarray: a tensor leaf, or for the object dtype a sequence of its items. */
    static final class NdArray implements TensorLeaf, Sequence {
        private long[] dims;
        private NumpyDType dtype;
        private boolean fortran;
        private Object data;

        void set(long[] dims, NumpyDType dtype, boolean fortran, Object data) {
            this.dims = dims;
            this.dtype = dtype;
            this.fortran = fortran;
            this.data = data;
        }

        @Override
        public boolean isSequence() {
            return objects();
        }

        private boolean objects() {
            return dtype != null && dtype.descr.startsWith("O") && data instanceof List;
        }

        @Override
        public List<Object> items() {
            return objects() ? new ArrayList<>((List<?>) data) : List.of();
        }

        @Override
        public boolean scalar() {
            return objects() && dims.length == 0 && ((List<?>) data).size() == 1;
        }

        @Override
        public Tensor tensor(String display) {
            if (dtype == null) {
                throw FocalException.input(display, "an ndarray whose state was never set");
            }
            if (objects()) {
                throw FocalException.input(display, "an object array holding " + ((List<?>) data).size()
                        + " items, not a numeric array");
            }
            String kind = dtype.descr.isEmpty() ? "?" : dtype.descr.substring(0, 1);
            int size;
            try {
                size = Integer.parseInt(dtype.descr.substring(1));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                size = -1;
            }
            DType t = DType.of(kind.charAt(0), size);
            if (t == null) {
                throw FocalException.input(display, "unsupported dtype " + dtype
                        + "; focal reads bool, int8..int64, uint8..uint64 and float16/32/64");
            }
            if (!(data instanceof PickleBytes)) {
                throw FocalException.input(display, "array data is " + Unpickler.describe(data) + ", not bytes");
            }
            PickleBytes b = (PickleBytes) data;
            Shape shape;
            long need;
            try {
                shape = Shape.of(dims);
                need = Math.multiplyExact(shape.count(), (long) t.itemSize());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw FocalException.input(display, "shape " + Shape.indexString(dims) + " is over 2^63 bytes");
            }
            if (need != b.length()) {
                throw FocalException.input(display, "array data holds " + b.length() + " bytes, shape "
                        + shape + " of " + t.numpyName() + " needs " + need);
            }
            ByteOrder order = ">".equals(dtype.order) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            try {
                Storage s = need == 0 ? Storage.allocate(0, order) : b.source().storage(b.offset(), need, order);
                return new Tensor(t, shape, fortran, s);
            } catch (IOException e) {
                throw FocalException.input(display, "cannot read: " + IoErrors.describe(e), e);
            }
        }

        @Override
        public String toString() {
            return objects() ? "a numpy object array of " + ((List<?>) data).size() + " items" : "numpy.ndarray";
        }
    }
}
