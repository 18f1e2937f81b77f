package dev.focal.tensor;

/** IEEE 754 binary16 conversions (Java 17 has no Float.float16ToFloat). */
final class Half {
    private Half() {
    }

    static float toFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            // Subnormal (or zero): the value is mant * 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Rounds to nearest, ties to even, from double directly (no double rounding through float). */
    static short fromDouble(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int sign = (int) ((bits >>> 48) & 0x8000);
        double a = Math.abs(d);
        if (Double.isNaN(d)) {
            return (short) (sign | 0x7E00);
        }
        if (a >= 65520.0) {
            return (short) (sign | 0x7C00);
        }
        if (a < 0x1p-14) {
            // Subnormal range: units of 2^-24, rounded half to even.
            long units = (long) Math.rint(a * 0x1p24);
            return (short) (sign | (int) units);
        }
        int e = Math.getExponent(a);
        double scaled = a / Math.scalb(1.0, e) - 1.0;
        long mant = (long) Math.rint(scaled * 1024);
        if (mant == 1024) {
            mant = 0;
            e++;
        }
        return (short) (sign | ((e + 15) << 10) | (int) mant);
    }
}
