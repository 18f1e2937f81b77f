package dev.focal.compare;

import java.util.function.DoublePredicate;

/**
 * The smallest double {@code x >= 0} at which a test monotone in {@code x} passes. No formula
 * gives it: a wide run of doubles can round to the same {@code atol + rtol * |e|}, so the
 * search runs over the doubles themselves, whose bit patterns are ordered like their values.
 */
final class LeastPassing {
    private LeastPassing() {
    }

    /** Infinity when no finite value passes; {@code guess} (NaN allowed) only speeds the search. */
    static double find(DoublePredicate passes, double guess) {
        if (passes.test(0)) {
            return 0;
        }
        if (!passes.test(Double.MAX_VALUE)) {
            return Double.POSITIVE_INFINITY;
        }
        // Invariant: fails at lo, passes at hi. A good guess is a few doubles off, so gallop from
        // it (steps 1, 2, 4, ...) before bisecting what is left.
        long lo = 0;
        long hi = Double.doubleToRawLongBits(Double.MAX_VALUE);
        if (guess > 0 && guess < Double.MAX_VALUE) {
            long g = Double.doubleToRawLongBits(guess);
            if (test(passes, g)) {
                hi = g;
                for (long step = 1; hi - step > lo; step <<= 1) {
                    if (!test(passes, hi - step)) {
                        lo = hi - step;
                        break;
                    }
                    hi -= step;
                }
            } else {
                lo = g;
                for (long step = 1; lo + step < hi; step <<= 1) {
                    if (test(passes, lo + step)) {
                        hi = lo + step;
                        break;
                    }
                    lo += step;
                }
            }
        }
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (test(passes, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return Double.longBitsToDouble(hi);
    }

    private static boolean test(DoublePredicate passes, long bits) {
        return passes.test(Double.longBitsToDouble(bits));
    }
}
