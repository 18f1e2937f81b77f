package dev.focal.compare;

import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.math.BigInteger;
import java.util.OptionalDouble;

/** What comparing an expected tensor with an actual one found; nothing here knows of files. */
public final class ComparisonResult {
    private final Shape expectedShape;
    private final Shape actualShape;
    private final DType expectedDtype;
    private final DType actualDtype;
    private final Tolerance tolerance;
    private final boolean equalNan;
    private final long total;
    private final long mismatched;
    private final long nanMismatches;
    private final long nanPairs;
    private final long infMismatches;
    private final long[] firstMismatch;
    private final boolean overMismatched;
    private final Difference maxAbsDiff;
    private final Difference maxRelDiff;
    private final OptionalDouble minRtol;
    private final long atolOnly;
    private final long[] firstAtolOnly;
    private final Difference maxRelAtolOnly;
    private final OptionalDouble minAtol;

    /** {@code tally} is null when the shapes differ and no element was compared; the tensors are not kept. */
    ComparisonResult(Tensor expected, Tensor actual, Tolerance tolerance, boolean equalNan, Tally tally) {
        this.expectedShape = expected.shape();
        this.actualShape = actual.shape();
        this.expectedDtype = expected.dtype();
        this.actualDtype = actual.dtype();
        this.tolerance = tolerance;
        this.equalNan = equalNan;
        Tally t = tally != null ? tally : new Tally(tolerance);
        total = t.total;
        mismatched = t.mismatched;
        nanMismatches = t.nanMismatches;
        nanPairs = t.nanPairs;
        infMismatches = t.infMismatches;
        firstMismatch = t.firstMismatch < 0 ? null : expectedShape.unravel(t.firstMismatch);
        // As torch, the greatest differences of a failed comparison are those of the elements that
        // failed (else an expected 0 within atol would always show relative difference inf); a
        // comparison with no finite mismatch shows its margin over all finite pairs instead.
        overMismatched = t.finiteMismatches > 0;
        maxAbsDiff = difference(overMismatched ? t.absMismatched : t.absAll, expected, actual);
        maxRelDiff = difference(overMismatched ? t.relMismatched : t.relAll, expected, actual);
        atolOnly = t.atolOnly;
        firstAtolOnly = t.firstAtolOnly < 0 ? null : expectedShape.unravel(t.firstAtolOnly);
        maxRelAtolOnly = difference(t.relAtolOnly, expected, actual);
        boolean tolerable = tally != null && t.nanMismatches + t.infMismatches == 0;
        minRtol = tolerable ? OptionalDouble.of(t.minRtol) : OptionalDouble.empty();
        minAtol = tolerable ? OptionalDouble.of(t.minAtol) : OptionalDouble.empty();
    }

    private static Difference difference(Tally.Greatest g, Tensor expected, Tensor actual) {
        if (g.flatIndex < 0) {
            return null;
        }
        return new Difference(g.value, expected.shape().unravel(g.flatIndex), element(expected, g.flatIndex),
                element(actual, g.flatIndex));
    }

    private static Number element(Tensor t, long i) {
        if (t.dtype().isFloat()) {
            return t.getDouble(i);
        }
        long v = t.getLong(i);
        return t.dtype() == DType.UINT64 && v < 0 ? new BigInteger(Long.toUnsignedString(v)) : (Number) v;
    }

    /** Same shape and every element close. */
    public boolean close() {
        return shapesMatch() && mismatched == 0;
    }

    public boolean shapesMatch() {
        return expectedShape.equals(actualShape);
    }

    public Shape expectedShape() {
        return expectedShape;
    }

    public Shape actualShape() {
        return actualShape;
    }

    public DType expectedDtype() {
        return expectedDtype;
    }

    public DType actualDtype() {
        return actualDtype;
    }

    public Tolerance tolerance() {
        return tolerance;
    }

    public boolean equalNan() {
        return equalNan;
    }

    /** Elements compared: 0 when the shapes differ. */
    public long total() {
        return total;
    }

    /** Elements not close, of every kind. */
    public long mismatched() {
        return mismatched;
    }

    /** Mismatches involving a NaN: NaN against a number, or NaN against NaN without equal_nan. */
    public long nanMismatches() {
        return nanMismatches;
    }

    /** The NaN mismatches that are NaN against NaN (equal_nan would accept them). */
    public long nanPairs() {
        return nanPairs;
    }

    /** Mismatches involving an infinity (and no NaN): against a finite value or the other infinity. */
    public long infMismatches() {
        return infMismatches;
    }

    /** The index of the first mismatched element in C order, or null. */
    public long[] firstMismatch() {
        return firstMismatch == null ? null : firstMismatch.clone();
    }

    /**
     * Whether {@link #maxAbsDiff} and {@link #maxRelDiff} range over the mismatched elements
     * (some pair of finite values failed) or over all pairs of finite values.
     */
    public boolean diffsOverMismatched() {
        return overMismatched;
    }

    /** The greatest |actual - expected| over pairs of finite values; null when there is none. */
    public Difference maxAbsDiff() {
        return maxAbsDiff;
    }

    /** The greatest |actual - expected| / |expected| (inf for a nonzero difference from 0); null when none. */
    public Difference maxRelDiff() {
        return maxRelDiff;
    }

    /**
     * Close elements that are close only because of atol: their relative difference exceeds
     * rtol. assert_close's atol (1e-5 for float32) passes a loss element that grew 100-fold from
     * 7e-8; this count makes such a change visible. 0 when atol or rtol is 0.
     */
    public long atolOnly() {
        return atolOnly;
    }

    /** The first of the {@link #atolOnly} elements in C order, or null. */
    public long[] firstAtolOnly() {
        return firstAtolOnly == null ? null : firstAtolOnly.clone();
    }

    /** The greatest relative difference among the {@link #atolOnly} elements, or null. */
    public Difference maxRelAtolOnly() {
        return maxRelAtolOnly;
    }

    /**
     * The smallest rtol with which every pair of finite values is close at the given atol:
     * infinity when none is (an expected 0 farther than atol), empty when a NaN or infinity
     * mismatch fails whatever the tolerance, or the shapes differ.
     */
    public OptionalDouble minRtol() {
        return minRtol;
    }

    /** The smallest atol with which every pair of finite values is close at the given rtol; as {@link #minRtol}. */
    public OptionalDouble minAtol() {
        return minAtol;
    }
}
