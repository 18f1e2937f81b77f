package dev.focal.compare;

/** One element's difference, where it is, and the two values that make it. */
public final class Difference {
    private final double value;
    private final long[] index;
    private final Number expected;
    private final Number actual;

    Difference(double value, long[] index, Number expected, Number actual) {
        this.value = value;
        this.index = index;
        this.expected = expected;
        this.actual = actual;
    }

    /** The absolute or relative difference. */
    public double value() {
        return value;
    }

    /** The multi-dimensional index (empty for a 0-d tensor). */
    public long[] index() {
        return index.clone();
    }

    /**
     * The expected element as its dtype holds it: a Double for float dtypes, a Long for integers
     * and bool (0 or 1), a BigInteger for uint64 values over 2^63 - 1, so that large integers
     * show exactly.
     */
    public Number expected() {
        return expected;
    }

    /** The actual element, as {@link #expected}. */
    public Number actual() {
        return actual;
    }
}
