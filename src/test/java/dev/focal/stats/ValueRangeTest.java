package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
    @Test
    void boundsSkipNanAndMergeInAnyOrder() {
        ValueRange a = new ValueRange();
        a.addBounds(new double[] {0.5, Double.NaN, -2, 9 /* past n */}, 3);
        assertEquals(-2, a.min());
        assertEquals(0.5, a.max());
        ValueRange b = new ValueRange();
        b.addBounds(new double[] {Double.NaN, 3}, 2);
        ValueRange ab = new ValueRange();
        ab.merge(a);
        ab.merge(b);
        ValueRange ba = new ValueRange();
        ba.merge(b);
        ba.merge(a);
        assertEquals(-2, ab.min());
        assertEquals(3, ab.max());
        assertEquals(ab.min(), ba.min());
        assertEquals(ab.max(), ba.max());
        ValueRange none = new ValueRange();
        none.addBounds(new double[] {Double.NaN}, 1);
        assertEquals(Double.POSITIVE_INFINITY, none.min(), "only NaN: no bound");
    }

    @Test
    void zerosAndOnesOnlyNeedsBothAndNothingElse() {
        ValueRange r = new ValueRange();
        r.addZeroOrOne(new double[] {0, 1, 0}, 3);
        assertTrue(r.zerosAndOnesOnly());
        r.addZeroOrOne(new double[] {1, Double.NaN}, 2);
        assertFalse(r.zerosAndOnesOnly(), "NaN is not 0 or 1");
        ValueRange zeros = new ValueRange();
        zeros.addZeroOrOne(new double[] {0, 0}, 2);
        assertFalse(zeros.zerosAndOnesOnly(), "all zeros: no one-hot targets");
        ValueRange merged = new ValueRange();
        ValueRange ones = new ValueRange();
        ones.addZeroOrOne(new double[] {1}, 1);
        merged.merge(zeros);
        merged.merge(ones);
        assertTrue(merged.zerosAndOnesOnly());
    }
}
