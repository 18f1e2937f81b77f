package dev.focal.io.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Set;

/**
 * One JSON value, nested arrays of numbers and booleans or a bare number or boolean, read token
 * by token into a primitive buffer. The first array met at each depth fixes that depth's length
 * and every later one is checked against it, so ragged input is reported, by index path, at the
 * first place it differs.
 */
final class JsonArray {
    /**
     * numpy 2's limit on dimensions, counted from where the value starts. Not Jackson's
     * StreamReadConstraints.maxNestingDepth, which counts from the top of the document (a bundle's
     * typed member starts two levels down) and stops the parser, where a member nested too deep
     * must spoil only itself.
     */
    static final int MAX_DEPTH = 64;
    /** What Python's json writes and reads; Jackson alone would also take +INF and -INF. */
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");
    private static final int MAX_VALUES = Integer.MAX_VALUE - 8;
    private static final int SHOWN_CHARS = 32;

    private final JsonParser p;
    private final String name;
    /** The dtype a typed form names, or null to infer one as numpy does for the same Python list. */
    private final DType declared;
    /** The dtype the values so far need: bool, int64, uint64 or float64; null before the first. */
    private DType inferred;
    /**
     * Each value's bits in the dtype, declared or inferred so far. float16 is the exception: it
     * waits here as a double so that it is rounded once, by {@link Tensor#setDouble}.
     */
    private long[] values = new long[16];
    private int size;
    /** Each depth's length, -1 until the first array at that depth closes. */
    private final long[] dims = new long[MAX_DEPTH];
    /** Elements so far in each open array, which is also the index path of the current element. */
    private final long[] counts = new long[MAX_DEPTH];
    /** Depth of the values, known from the first one. */
    private int rank = -1;
    private int deepest = -1;

    private JsonArray(JsonParser p, String name, DType declared) {
        this.p = p;
        this.name = name;
        this.declared = declared;
        Arrays.fill(dims, -1);
    }

    /** Reads the value at the parser's current token, leaving the parser on its last token. */
    static JsonArray read(JsonParser p, String name, DType dtype) throws IOException {
        JsonArray a = new JsonArray(p, name, dtype);
        a.parse();
        return a;
    }

    DType dtype() {
        if (declared != null) {
            return declared;
        }
        // numpy makes an empty list float64.
        return inferred != null ? inferred : DType.FLOAT64;
    }

    /** The shape the nesting shows. */
    long[] shape() {
        return Arrays.copyOf(dims, rank);
    }

    long count() {
        return size;
    }

    Tensor toTensor() {
        return toTensor(Shape.of(shape()));
    }

    /** The values as a tensor of {@code shape}, which must hold {@link #count} elements. */
    Tensor toTensor(Shape shape) {
        Tensor t = Tensor.allocate(dtype(), shape);
        for (int i = 0; i < size; i++) {
            if (t.dtype() == DType.FLOAT16 || t.dtype() == DType.BFLOAT16) {
                t.setDouble(i, Double.longBitsToDouble(values[i]));
            } else {
                t.setRawBits(i, values[i]);
            }
        }
        return t;
    }

    private void parse() throws IOException {
        int depth = 0;
        for (JsonToken t = p.currentToken(); ; t = p.nextToken()) {
            if (t == JsonToken.END_ARRAY) {
                close(--depth);
                if (depth == 0) {
                    break;
                }
                continue;
            }
            if (depth > 0 && counts[depth - 1] == dims[depth - 1]) {
                throw tooLong(depth - 1, t);
            }
            if (t == JsonToken.START_ARRAY) {
                open(depth++);
            } else {
                leaf(depth, t);
                if (depth == 0) {
                    break;
                }
                counts[depth - 1]++;
            }
        }
        if (rank < 0) {
            // Only empty arrays: the innermost ones are the last axis, of length 0.
            rank = deepest + 1;
        }
    }

    private void open(int level) {
        if (level == MAX_DEPTH) {
            throw FocalException.input(name, "nested deeper than " + MAX_DEPTH + " levels");
        }
        if (level == rank) {
            throw error(level, "expected a number, found an array");
        }
        deepest = Math.max(deepest, level);
        counts[level] = 0;
    }

    private void close(int level) {
        long n = counts[level];
        if (dims[level] < 0) {
            dims[level] = n;
        } else if (n != dims[level]) {
            throw error(level, elements(n) + ", expected " + dims[level]);
        }
        if (level > 0) {
            counts[level - 1]++;
        }
    }

    /** Counts the rest of an array that is already too long, so the message gives its length. */
    private FocalException tooLong(int level, JsonToken t) throws IOException {
        long n = counts[level];
        for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            p.skipChildren();
            n++;
        }
        return error(level, elements(n) + ", expected " + dims[level]);
    }

    private void leaf(int level, JsonToken t) throws IOException {
        // null inside an array is NaN: strict JSON writers (JavaScript's JSON.stringify, Go, jq)
        // put it where Python's json writes NaN. A document that is only null is no tensor.
        boolean nan = t == JsonToken.VALUE_NULL && level > 0;
        if (!nan && !t.isNumeric() && !t.isBoolean()) {
            throw error(level, nonNumber(t) + " is not a number");
        }
        if (level != rank) {
            // Earlier arrays reached this depth (or the values sit deeper): dims[level] is known.
            if (rank >= 0 || deepest >= level) {
                throw error(level, (t.isBoolean() ? "a boolean" : "a number") + ", expected an array of "
                        + dims[level]);
            }
            rank = level;
        }
        add(nan ? nanBits(level) : declared == null ? inferBits(t, level) : declaredBits(t, level));
    }

    private long nanBits(int level) {
        if (declared == null) {
            promote(DType.FLOAT64);
        } else if (!declared.isFloat()) {
            throw error(level, "null (NaN) is not a value of dtype " + declared.numpyName());
        }
        return declared == DType.FLOAT32 ? Float.floatToRawIntBits(Float.NaN) : Double.doubleToRawLongBits(Double.NaN);
    }

    private void add(long bits) {
        if (size == values.length) {
            grow();
        }
        values[size++] = bits;
    }

    /**
     * Doubles the buffer, once the heap is known to hold it: the copy keeps the old buffer and
     * the new one (24 bytes a value so far), and the tensor made at the end lives beside the
     * buffer (up to 16 bytes a value). When 16 bytes for every value of the new buffer would take
     * over three quarters of the JVM's maximum heap (the rest is for everything else, and for
     * the free space a large array needs), the document is refused here, with exit 3, rather than
     * running out of memory later.
     */
    private void grow() {
        if (size == MAX_VALUES) {
            throw FocalException.input(name, "holds over " + MAX_VALUES
                    + " values, more than focal reads from JSON; convert it to .npy with numpy");
        }
        int next = (int) Math.min(2L * size, MAX_VALUES);
        long heap = Runtime.getRuntime().maxMemory();
        long allowed = heap - heap / 4;
        if (16L * next > allowed) {
            throw FocalException.input(name, "holds over " + size + " values; reading more from JSON needs over "
                    + (16L * next >> 20) + " MiB of heap, more than the " + (allowed >> 20) + " MiB (of "
                    + (heap >> 20) + ") focal gives one JSON tensor: give the JVM more (JAVA_OPTS=-Xmx8g) or"
                    + " convert the file to .npy, which is not read onto the heap");
        }
        values = Arrays.copyOf(values, next);
    }

    /**
     * numpy's rules for a Python list: booleans alone make bool; an integer makes int64 if it
     * fits, else uint64; int64 and uint64 together, or any float, make float64.
     */
    private long inferBits(JsonToken t, int level) throws IOException {
        if (t.isBoolean()) {
            if (inferred == null) {
                inferred = DType.BOOL;
            }
            return asInferred(t == JsonToken.VALUE_TRUE ? 1 : 0);
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            promote(DType.FLOAT64);
            return Double.doubleToRawLongBits(real(level));
        }
        if (p.getNumberType() != NumberType.BIG_INTEGER) {
            promote(inferred == DType.UINT64 ? DType.FLOAT64 : DType.INT64);
            return asInferred(p.getLongValue());
        }
        BigInteger v = p.getBigIntegerValue();
        if (v.signum() < 0 || v.bitLength() > 64) {
            throw error(level, "integer " + text() + " fits neither int64 nor uint64"
                    + " (numpy would make an object array)");
        }
        promote(inferred == DType.INT64 ? DType.FLOAT64 : DType.UINT64);
        return inferred == DType.FLOAT64 ? Double.doubleToRawLongBits(v.doubleValue()) : v.longValue();
    }

    private long asInferred(long integer) {
        return inferred == DType.FLOAT64 ? Double.doubleToRawLongBits(integer) : integer;
    }

    /** Moves to a wider dtype, converting the values so far when they become floats. */
    private void promote(DType to) {
        if (inferred == to || inferred == DType.FLOAT64) {
            return;
        }
        if (to == DType.FLOAT64 && inferred != null) {
            for (int i = 0; i < size; i++) {
                long v = values[i];
                // For uint64 over 2^63: halve keeping the low bit (round to odd), so one rounding happens.
                double d = inferred != DType.UINT64 || v >= 0 ? v : (double) (v >>> 1 | (v & 1)) * 2.0;
                values[i] = Double.doubleToRawLongBits(d);
            }
        }
        inferred = to;
    }

    private long declaredBits(JsonToken t, int level) throws IOException {
        switch (declared) {
            case FLOAT64:
            case FLOAT16:
            case BFLOAT16:
                return Double.doubleToRawLongBits(t.isBoolean() ? truth(t) : real(level));
            case FLOAT32:
                // Straight from the text: rounding through double first could land one ulp off.
                return Float.floatToRawIntBits(t.isBoolean() ? truth(t)
                        : p.isNaN() ? (float) real(level) : Float.parseFloat(p.getText()));
            case BOOL:
                return bool(t, level);
            default:
                return integer(t, level);
        }
    }

    private static int truth(JsonToken t) {
        return t == JsonToken.VALUE_TRUE ? 1 : 0;
    }

    private double real(int level) throws IOException {
        if (p.isNaN() && !NON_FINITE.contains(p.getText())) {
            throw error(level, p.getText() + " is not a number Python's json reads;"
                    + " write NaN, Infinity or -Infinity");
        }
        return p.getDoubleValue();
    }

    private long bool(JsonToken t, int level) throws IOException {
        if (t.isBoolean()) {
            return truth(t);
        }
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == NumberType.INT
                && (p.getIntValue() == 0 || p.getIntValue() == 1)) {
            return p.getIntValue();
        }
        throw error(level, text() + " is not a bool (true, false, 0 or 1)");
    }

    private long integer(JsonToken t, int level) throws IOException {
        if (t.isBoolean()) {
            return truth(t);
        }
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != NumberType.BIG_INTEGER) {
            long v = p.getLongValue();
            if (fits(v)) {
                return v;
            }
            throw outOfRange(level);
        }
        BigInteger v = t == JsonToken.VALUE_NUMBER_INT ? p.getBigIntegerValue() : integral(level);
        if (v.bitLength() < 64 && fits(v.longValue())
                || declared == DType.UINT64 && v.signum() >= 0 && v.bitLength() <= 64) {
            return v.longValue();
        }
        throw outOfRange(level);
    }

    /** A float token with an integer value, as numpy takes 2.0 for an integer dtype. */
    private BigInteger integral(int level) throws IOException {
        BigDecimal d;
        try {
            d = p.isNaN() ? null : p.getDecimalValue().stripTrailingZeros();
        } catch (NumberFormatException e) {
            // An exponent beyond BigDecimal's int scale (1e99999999999): the value is huge, zero or tiny.
            if (Double.isInfinite(p.getDoubleValue())) {
                throw outOfRange(level);
            }
            d = p.getText().replaceFirst("[eE].*", "").matches("[-+]?[0.]*") ? BigDecimal.ZERO : null;
        }
        if (d == null || d.scale() > 0) {
            throw error(level, text() + " is not an integer (dtype " + declared.numpyName() + ")");
        }
        // Over 20 digits is out of every range; checking first keeps 1e999999999 from expanding.
        if (d.precision() - d.scale() > 20) {
            throw outOfRange(level);
        }
        return d.toBigIntegerExact();
    }

    private boolean fits(long v) {
        switch (declared) {
            case INT8: return v == (byte) v;
            case INT16: return v == (short) v;
            case INT32: return v == (int) v;
            case UINT8: return v >= 0 && v <= 0xFFL;
            case UINT16: return v >= 0 && v <= 0xFFFFL;
            case UINT32: return v >= 0 && v <= 0xFFFFFFFFL;
            case UINT64: return v >= 0;
            default: return true;
        }
    }

    private FocalException outOfRange(int level) throws IOException {
        int bits = 8 * declared.itemSize();
        boolean unsigned = declared.kind() == 'u';
        BigInteger max = BigInteger.ONE.shiftLeft(unsigned ? bits : bits - 1).subtract(BigInteger.ONE);
        BigInteger min = unsigned ? BigInteger.ZERO : max.negate().subtract(BigInteger.ONE);
        return error(level, text() + " is out of range for " + declared.numpyName()
                + " (" + min + ".." + max + ")");
    }

    private FocalException error(int level, String problem) {
        String at = level == 0 ? "" : "at " + Shape.indexString(Arrays.copyOf(counts, level)) + ": ";
        return FocalException.input(name, at + problem);
    }

    private String nonNumber(JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return '"' + IoErrors.shown(shorten(p.getText())) + '"';
        }
        return t == JsonToken.VALUE_NULL ? "null" : "an object";
    }

    /** The current token as written, cut short for messages. */
    private String text() throws IOException {
        return shorten(p.getText());
    }

    private static String shorten(String s) {
        return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "...";
    }

    private static String elements(long n) {
        return n + (n == 1 ? " element" : " elements");
    }
}
