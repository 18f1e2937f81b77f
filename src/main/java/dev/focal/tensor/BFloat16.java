package dev.focal.tensor;

/** bfloat16, the top 16 bits of a float32: widening is a shift, narrowing rounds to nearest even. */
final class BFloat16 {
    private static final int QUIET_NAN = 0x7FC0;

    private BFloat16() {
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * As PyTorch converts: to float first, then to nearest even. The two roundings can differ
     * from one (1 + 2^-8 + 2^-30 gives 1, not 1 + 2^-7); torch's values are the ones to match.
     */
    static short fromDouble(double d) {
        int bits = Float.floatToRawIntBits((float) d);
        if (Double.isNaN(d)) {
            return (short) ((bits >>> 16 & 0x8000) | QUIET_NAN);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
