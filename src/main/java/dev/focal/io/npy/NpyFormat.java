package dev.focal.io.npy;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.ElementBytes;
import dev.focal.io.IoErrors;
import dev.focal.io.SingleTensorFile;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import dev.focal.io.pickle.PickleFormat;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Storage;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** numpy's .npy format, versions 1.0, 2.0 and 3.0 (numpy.lib.format). */
public final class NpyFormat implements TensorFormat {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy.load's default max_header_size. */
    static final int MAX_HEADER = 10_000;
    private static final int ALIGN = 64;
    /** numpy leaves room for the first (growth) axis to reach this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    @Override
    public String name() {
        return ".npy";
    }

    @Override
    public boolean matchesContent(byte[] head, int length) {
        if (length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean matchesExtension(String fileName) {
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".npy");
    }

    /**
     * An array, or for the object dtype what {@code np.save} pickled (a dict of arrays, say),
     * read through the same allowlisted unpickler as a .pkl (docs/formats.md#pickled-numpy).
     */
    @Override
    public boolean holdsBundles() {
        return false;
    }

    @Override
    public TensorFile open(Path path, String name) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            ByteSource src = ByteSource.of(ch, 0, ch.size());
            Parsed p = parse(name, src);
            if (p.header.objects) {
                FileChannel open = ch;
                ch = null; // the pickled file owns it now
                return PickleFormat.read(name, src, p.dataStart, () -> close(open));
            }
            // The mapping outlives the channel, so the file needs no closing later.
            return new SingleTensorFile(name, tensor(name, src, p));
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        } finally {
            if (ch != null) {
                close(ch);
            }
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Read only: nothing is lost.
        }
    }

    /** Reads the array a source holds: a stored npz member, or an inflated one. */
    static Tensor read(String name, ByteSource src) throws IOException {
        return tensor(name, src, parse(name, src));
    }

    /** A source's header, and where its data starts. */
    private record Parsed(Header header, long dataStart) {
    }

    private static Parsed parse(String name, ByteSource src) throws IOException {
        long length = src.size();
        int prefix = 8;
        if (length < prefix + 2) {
            if (length < MAGIC.length || !startsWithMagic(src, (int) length)) {
                throw FocalException.input(name, "not a .npy file (no \\x93NUMPY magic)");
            }
            throw FocalException.input(name, "truncated: file ends inside the .npy header");
        }
        ByteBuffer pre = src.bytes(0, 12 > length ? (int) length : 12);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre.get(i) != MAGIC[i]) {
                throw FocalException.input(name, "not a .npy file (no \\x93NUMPY magic)");
            }
        }
        int major = pre.get(6) & 0xFF;
        int minor = pre.get(7) & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw FocalException.input(name, "unsupported .npy format version " + major + "." + minor
                    + " (numpy writes 1.0, 2.0 and 3.0)");
        }
        long headerLen;
        if (major == 1) {
            headerLen = pre.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF;
            prefix = 10;
        } else {
            if (length < 12) {
                throw FocalException.input(name, "truncated: file ends inside the .npy header");
            }
            headerLen = pre.order(ByteOrder.LITTLE_ENDIAN).getInt(8) & 0xFFFFFFFFL;
            prefix = 12;
        }
        if (headerLen > MAX_HEADER) {
            throw FocalException.input(name, "header is " + headerLen + " bytes, over numpy's limit of "
                    + MAX_HEADER);
        }
        if (prefix + headerLen > length) {
            throw FocalException.input(name, "truncated: header declares " + headerLen
                    + " bytes, file has " + (length - prefix) + " after the prefix");
        }
        ByteBuffer hb = src.bytes(prefix, (int) headerLen);
        String header = new String(hb.array(), 0, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return new Parsed(Header.parse(name, header), prefix + headerLen);
    }

    private static Tensor tensor(String name, ByteSource src, Parsed p) throws IOException {
        Header h = p.header;
        if (h.objects) {
            Header.dtype(name, "|O"); // refused, with the message every unsupported dtype gets
        }
        long dataStart = p.dataStart;
        long length = src.size();
        long available = length - dataStart;
        long declared;
        try {
            declared = Math.multiplyExact(h.shape.count(), (long) h.dtype.itemSize());
        } catch (ArithmeticException e) {
            throw FocalException.input(name, "shape " + h.shape + " of " + h.dtype.numpyName()
                    + " is over 2^63 bytes");
        }
        if (declared > available) {
            throw FocalException.input(name, "truncated: header declares " + declared
                    + " data bytes, file has " + available);
        }
        Storage storage = declared == 0
                ? Storage.allocate(0, h.order)
                : src.storage(dataStart, declared, h.order);
        return new Tensor(h.dtype, h.shape, h.fortranOrder, storage);
    }

    private static boolean startsWithMagic(ByteSource src, int length) throws IOException {
        ByteBuffer b = src.bytes(0, length);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The three keys of a header, validated. */
    static final class Header {
        final DType dtype;
        final ByteOrder order;
        final boolean fortranOrder;
        final Shape shape;
        /** The object dtype: the data is a pickle, and {@code dtype} is null. */
        final boolean objects;

        private Header(DType dtype, ByteOrder order, boolean fortranOrder, Shape shape) {
            this.dtype = dtype;
            this.order = order;
            this.fortranOrder = fortranOrder;
            this.shape = shape;
            this.objects = dtype == null;
        }

        static Header parse(String name, String text) {
            Object literal;
            try {
                literal = PyLiteral.parse(text);
            } catch (PyLiteral.SyntaxError e) {
                throw FocalException.input(name, "malformed .npy header: " + e.getMessage());
            }
            if (!(literal instanceof Map)) {
                throw FocalException.input(name, "malformed .npy header: not a dict");
            }
            Map<?, ?> d = (Map<?, ?>) literal;
            Set<String> expected = Set.of("descr", "fortran_order", "shape");
            for (String key : expected) {
                if (!d.containsKey(key)) {
                    throw FocalException.input(name, "malformed .npy header: missing key '" + key + "'");
                }
            }
            for (Object key : d.keySet()) {
                if (!expected.contains(key)) {
                    throw FocalException.input(name, "malformed .npy header: unexpected key " + pyRepr(key));
                }
            }
            Object fortran = d.get("fortran_order");
            if (!(fortran instanceof Boolean)) {
                throw FocalException.input(name, "malformed .npy header: fortran_order is not True or False");
            }
            Object descr = d.get("descr");
            if (!(descr instanceof String)) {
                throw FocalException.input(name, "unsupported dtype: structured array (descr "
                        + pyRepr(descr) + "); focal reads numeric arrays only");
            }
            String ds = (String) descr;
            ByteOrder order = byteOrder(ds);
            DType dtype = ds.equals("|O") ? null : dtype(name, ds);
            return new Header(dtype, order, (Boolean) fortran, shape(name, d.get("shape")));
        }

        private static ByteOrder byteOrder(String descr) {
            return descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        static DType dtype(String name, String descr) {
            String body = descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0 ? descr : descr.substring(1);
            if (body.isEmpty()) {
                throw FocalException.input(name, "malformed .npy header: empty descr");
            }
            char kind = body.charAt(0);
            int size = -1;
            try {
                size = Integer.parseInt(body.substring(1));
            } catch (NumberFormatException e) {
                // left at -1: reported below with the kind's name
            }
            DType t = kind == '?' && body.length() == 1 ? DType.BOOL : DType.of(kind, size);
            if (t != null) {
                return t;
            }
            throw FocalException.input(name, "unsupported dtype " + describe(kind, size) + " ('"
                    + IoErrors.shown(descr) + "'); focal reads bool, int8..int64, uint8..uint64 and float16/32/64");
        }

        private static String describe(char kind, int size) {
            switch (kind) {
                case 'c': return size > 0 ? "complex" + size * 8 : "complex";
                case 'O': return "object (pickled Python objects)";
                case 'S': case 'a': return "bytes string";
                case 'U': return "unicode string";
                case 'V': return "void/structured";
                case 'M': return "datetime64";
                case 'm': return "timedelta64";
                case 'f': return size > 0 ? "float" + size * 8 : "float";
                case 'i': return size > 0 ? "int" + size * 8 : "int";
                case 'u': return size > 0 ? "uint" + size * 8 : "uint";
                default: return "'" + IoErrors.shown(kind) + "'";
            }
        }

        private static Shape shape(String name, Object value) {
            if (!(value instanceof PyLiteral.Tuple)) {
                throw FocalException.input(name, "malformed .npy header: shape " + pyRepr(value) + " is not a tuple");
            }
            List<?> items = ((PyLiteral.Tuple) value).items();
            long[] dims = new long[items.size()];
            for (int i = 0; i < dims.length; i++) {
                if (!(items.get(i) instanceof Long)) {
                    throw FocalException.input(name, "malformed .npy header: shape holds a non-integer");
                }
                dims[i] = (Long) items.get(i);
                if (dims[i] < 0) {
                    throw FocalException.input(name, "malformed .npy header: negative dimension "
                            + dims[i] + " in shape");
                }
            }
            try {
                return Shape.of(dims);
            } catch (IllegalArgumentException e) {
                throw FocalException.input(name, "malformed .npy header: " + e.getMessage());
            }
        }

        private static String pyRepr(Object o) {
            return IoErrors.shown(PyLiteral.repr(o));
        }
    }

    @Override
    public boolean canWrite() {
        return true;
    }

    /** numpy has no bfloat16; float32 holds every bfloat16 value exactly (the same bits, shifted). */
    @Override
    public DType writtenAs(DType dtype) {
        return dtype.inNumpy() ? dtype : DType.FLOAT32;
    }

    /** Writes C-order little-endian data under the header numpy.save would write, byte for byte. */
    @Override
    public void write(Tensor t, OutputStream out) throws IOException {
        DType written = writtenAs(t.dtype());
        out.write(header(written, t.shape()));
        ElementBytes.write(t, written, out);
    }

    /** The header numpy.save writes before C-order little-endian data of this dtype and shape. */
    public static byte[] header(DType dtype, Shape shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.rank(); i++) {
            dims.append(i == 0 ? "" : ", ").append(shape.dim(i));
        }
        dims.append(shape.rank() == 1 ? ",)" : ")");
        StringBuilder h = new StringBuilder()
                .append("{'descr': '").append(dtype.littleEndianDescr())
                .append("', 'fortran_order': False, 'shape': ").append(dims).append(", }");
        if (shape.rank() > 0) {
            h.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape.dim(0)).length()));
        }
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1;
        // Like numpy: version 1.0 unless its 16-bit header length cannot hold the padded header.
        int version = hlen + ALIGN - ((MAGIC.length + 4 + hlen) % ALIGN) <= 0xFFFF ? 1 : 2;
        int prefix = MAGIC.length + 2 + (version == 1 ? 2 : 4);
        int pad = ALIGN - ((prefix + hlen) % ALIGN);
        ByteBuffer b = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) (hlen + pad));
        } else {
            b.putInt(hlen + pad);
        }
        b.put(text);
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }
}
