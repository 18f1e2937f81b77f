package dev.focal.io.safetensors;

import dev.focal.tensor.DType;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The dtypes the safetensors format names, in the reference's order of increasing alignment:
 * its writer sorts tensors by this order, descending, so ours must know it to write the same
 * bytes. Each knows its width in bits (the format's sub-byte floats are 4 and 6) and the focal
 * dtype it reads as, or none: those are refused by name (docs/commands.md#safetensors).
 */
enum SafetensorsDType {
    BOOL(8, DType.BOOL),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null),
    U8(8, DType.UINT8),
    I8(8, DType.INT8),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    F8_E4M3FNUZ(8, null),
    F8_E5M2FNUZ(8, null),
    I16(16, DType.INT16),
    U16(16, DType.UINT16),
    F16(16, DType.FLOAT16),
    BF16(16, DType.BFLOAT16),
    I32(32, DType.INT32),
    U32(32, DType.UINT32),
    F32(32, DType.FLOAT32),
    C64(64, null),
    F64(64, DType.FLOAT64),
    I64(64, DType.INT64),
    U64(64, DType.UINT64);

    /** The names focal reads, for messages. */
    static final String READABLE = Arrays.stream(values()).filter(t -> t.focal != null).map(Enum::name)
            .collect(Collectors.joining(", "));

    private final int bits;
    private final DType focal;

    SafetensorsDType(int bits, DType focal) {
        this.bits = bits;
        this.focal = focal;
    }

    int bits() {
        return bits;
    }

    /** The dtype focal reads this as, or null when it does not read it. */
    DType focal() {
        return focal;
    }

    /** The type named {@code name} in a header, or null when the format has no such type. */
    static SafetensorsDType named(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type focal writes for {@code dtype}. */
    static SafetensorsDType of(DType dtype) {
        for (SafetensorsDType t : values()) {
            if (t.focal == dtype) {
                return t;
            }
        }
        throw new IllegalArgumentException("no safetensors dtype for " + dtype);
    }
}
