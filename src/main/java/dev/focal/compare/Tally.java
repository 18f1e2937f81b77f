package dev.focal.compare;

/** The running account of a comparison, fed one element pair at a time in flat-index order. */
final class Tally {
    /** The element with the greatest difference of one kind; ties keep the first, as torch.max does. */
    static final class Greatest {
        double value = -1;
        long flatIndex = -1;

        void offer(double v, long i) {
            if (v > value) {
                value = v;
                flatIndex = i;
            }
        }
    }

    private final Tolerance tolerance;
    long total;
    long mismatched;
    long finiteMismatches;
    long nanMismatches;
    long nanPairs;
    long infMismatches;
    long firstMismatch = -1;
    final Greatest absAll = new Greatest();
    final Greatest relAll = new Greatest();
    final Greatest absMismatched = new Greatest();
    final Greatest relMismatched = new Greatest();
    /** Close pairs that only atol let through: relatively farther apart than rtol allows. */
    long atolOnly;
    long firstAtolOnly = -1;
    final Greatest relAtolOnly = new Greatest();
    double minRtol;
    double minAtol;

    Tally(Tolerance tolerance) {
        this.tolerance = tolerance;
    }

    /** A pair of finite values, the expected one {@code e}, that differ by {@code diff} (exactly, for integers). */
    void finite(long i, double e, double diff) {
        total++;
        double absE = Math.abs(e);
        // torch's relative difference: diff / |e|, but 0 for equal values (0 / 0 would be NaN).
        double rel = diff == 0 ? 0 : diff / absE;
        absAll.offer(diff, i);
        relAll.offer(rel, i);
        if (!tolerance.allows(diff, e)) {
            mismatch(i);
            finiteMismatches++;
            absMismatched.offer(diff, i);
            relMismatched.offer(rel, i);
        } else if (tolerance.atol() > 0 && tolerance.rtol() > 0 && !Tolerance.within(diff, absE, tolerance.rtol(), 0)) {
            if (atolOnly++ == 0) {
                firstAtolOnly = i;
            }
            relAtolOnly.offer(rel, i);
        }
        double rtol = tolerance.rtol();
        double atol = tolerance.atol();
        // Only a pair the running minimum does not cover can raise it; most pairs stop at this test.
        if (minRtol < Double.POSITIVE_INFINITY && !Tolerance.within(diff, absE, minRtol, atol)) {
            minRtol = LeastPassing.find(r -> Tolerance.within(diff, absE, r, atol), (diff - atol) / absE);
        }
        if (minAtol < Double.POSITIVE_INFINITY && !Tolerance.within(diff, absE, rtol, minAtol)) {
            minAtol = LeastPassing.find(t -> Tolerance.within(diff, absE, rtol, t), diff - rtol * absE);
        }
    }

    /** A pair where a value is NaN or infinite: close only when equal (NaN with NaN under equal_nan). */
    void nonFinite(long i, double e, double a, boolean equalNan) {
        total++;
        boolean eNan = Double.isNaN(e);
        boolean aNan = Double.isNaN(a);
        if (eNan || aNan) {
            if (eNan && aNan) {
                if (equalNan) {
                    return;
                }
                nanPairs++;
            }
            nanMismatches++;
        } else {
            if (e == a) {
                return;
            }
            infMismatches++;
        }
        mismatch(i);
    }

    private void mismatch(long i) {
        if (firstMismatch < 0) {
            firstMismatch = i;
        }
        mismatched++;
    }
}
