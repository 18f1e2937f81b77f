package dev.focal.tensor;

import java.util.Locale;

/**
 * The numeric element types focal reads and writes, named as numpy names them; bfloat16, which
 * numpy lacks, as PyTorch names it.
 */
public enum DType {
    BOOL("bool", 'b', 1),
    INT8("int8", 'i', 1),
    INT16("int16", 'i', 2),
    INT32("int32", 'i', 4),
    INT64("int64", 'i', 8),
    UINT8("uint8", 'u', 1),
    UINT16("uint16", 'u', 2),
    UINT32("uint32", 'u', 4),
    UINT64("uint64", 'u', 8),
    FLOAT16("float16", 'f', 2),
    FLOAT32("float32", 'f', 4),
    FLOAT64("float64", 'f', 8),
    /** The top half of a float32: its 8 exponent bits and 7 of its mantissa bits. */
    BFLOAT16("bfloat16", 'f', 2);

    private final String numpyName;
    private final char kind;
    private final int itemSize;

    DType(String numpyName, char kind, int itemSize) {
        this.numpyName = numpyName;
        this.kind = kind;
        this.itemSize = itemSize;
    }

    /** numpy's name: {@code float32}, {@code int64}, {@code bool}; {@code bfloat16} as torch names it. */
    public String numpyName() {
        return numpyName;
    }

    /** numpy's kind character: {@code b}, {@code i}, {@code u} or {@code f}. */
    public char kind() {
        return kind;
    }

    public int itemSize() {
        return itemSize;
    }

    public boolean isFloat() {
        return kind == 'f';
    }

    public boolean isInteger() {
        return kind == 'i' || kind == 'u';
    }

    /** Whether numpy has this type; it has no bfloat16. */
    public boolean inNumpy() {
        return this != BFLOAT16;
    }

    /** The {@code descr} numpy writes for this type in little-endian order, e.g. {@code <f4} or {@code |b1}. */
    public String littleEndianDescr() {
        return (itemSize == 1 ? "|" : "<") + kind + itemSize;
    }

    /** Finds a type by kind and size, or returns null when numpy has no such numeric type. */
    public static DType of(char kind, int itemSize) {
        for (DType t : values()) {
            if (t.kind == kind && t.itemSize == itemSize && t.inNumpy()) {
                return t;
            }
        }
        return null;
    }

    /** Finds a type by numpy name ({@code float32}, also {@code float}, {@code int}, {@code bool_}), or null. */
    public static DType byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "float": case "double": return FLOAT64;
            case "half": return FLOAT16;
            case "int": case "long": return INT64;
            case "bool_": return BOOL;
            default:
                for (DType t : values()) {
                    if (t.numpyName.equals(n)) {
                        return t;
                    }
                }
                return null;
        }
    }
}
