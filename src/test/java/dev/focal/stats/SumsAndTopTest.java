package dev.focal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CompensatedSum} and {@link TopK} on their own, with values whose exact answer is known:
 * the summary's totals and --top rest on them, and the commands' tests rarely reach their edges
 * (docs/testing.md#mutation-testing).
 */
class SumsAndTopTest {
    private static CompensatedSum sum(double... xs) {
        CompensatedSum s = new CompensatedSum();
        for (double x : xs) {
            s.add(x);
        }
        return s;
    }

    @Test
    void compensationKeepsWhatPlainDoubleAdditionRoundsAway() {
        // Plain left-to-right addition loses the small terms against 1e16 and 1e100.
        assertEquals(2.0, sum(1e16, 1, 1, -1e16).value());
        assertEquals(1.0, sum(1, 1e100, 1, -1e100, -1).value());
        // The small term first, then the large one: the other branch of the error's formula.
        assertEquals(3.0, sum(3, 1e17, -1e17).value());
        assertEquals(0x1p-60, sum(1, 0x1p-60, -1).value());
    }

    @Test
    void nonFiniteTermsGiveWhatIeeeAdditionGives() {
        assertEquals(Double.POSITIVE_INFINITY, sum(1, Double.POSITIVE_INFINITY, -5).value());
        assertEquals(Double.NEGATIVE_INFINITY, sum(1, Double.NEGATIVE_INFINITY, 5).value());
        assertEquals(Double.NaN, sum(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).value());
        assertEquals(Double.NaN, sum(1, Double.NaN).value());
        assertEquals(Double.NaN, sum(Double.NaN, Double.POSITIVE_INFINITY).value());
        // A finite sum that overflows is +inf, as 1.7e308 + 1.7e308 is in IEEE arithmetic.
        assertEquals(Double.POSITIVE_INFINITY, sum(Double.MAX_VALUE, Double.MAX_VALUE).value());
        assertEquals(0.0, sum().value());
    }

    @Test
    void mergedSumsKeepTheirCompensationAndNonFiniteCounts() {
        CompensatedSum a = sum(1e16, 1);
        CompensatedSum b = sum(1, -1e16);
        a.add(b);
        assertEquals(2.0, a.value());
        CompensatedSum inf = sum(Double.POSITIVE_INFINITY);
        CompensatedSum ninf = sum(Double.NEGATIVE_INFINITY);
        CompensatedSum both = sum(2);
        both.add(inf);
        assertEquals(Double.POSITIVE_INFINITY, both.value());
        both.add(ninf);
        assertEquals(Double.NaN, both.value());
        CompensatedSum nan = sum(2);
        nan.add(sum(Double.NaN));
        assertEquals(Double.NaN, nan.value());
        CompensatedSum neg = sum(2);
        neg.add(ninf);
        assertEquals(Double.NEGATIVE_INFINITY, neg.value());
    }

    private static String ranking(TopK top) {
        StringBuilder b = new StringBuilder();
        for (TopK.Item i : top.items()) {
            b.append(i.index).append('=').append(i.loss).append(' ');
        }
        return b.toString().trim();
    }

    @Test
    void topKeepsTheLargestNanFirstAndTheLowerIndexOnTies() {
        TopK top = new TopK(3);
        double[] losses = {0.5, 2, Double.NaN, 2, 7, -1, 2};
        for (int i = 0; i < losses.length; i++) {
            top.offer(i, losses[i]);
        }
        assertEquals("2=NaN 4=7.0 1=2.0", ranking(top));
        assertEquals(3, top.capacity());
    }

    @Test
    void topOfFewerElementsThanKKeepsThemAll() {
        TopK top = new TopK(5);
        top.offer(3, 1);
        top.offer(1, 1);
        assertEquals("1=1.0 3=1.0", ranking(top));
        TopK none = new TopK(0);
        none.offer(0, 9);
        assertEquals(List.of(), none.items());
        assertEquals(0, none.capacity());
    }

    @Test
    void mergedTopsRankAsOneWhateverTheOrder() {
        TopK a = new TopK(2);
        a.offer(0, 4);
        a.offer(1, 9);
        TopK b = new TopK(2);
        b.offer(5, 9);
        b.offer(6, 8);
        TopK ab = new TopK(2);
        ab.merge(a);
        ab.merge(b);
        TopK ba = new TopK(2);
        ba.merge(b);
        ba.merge(a);
        assertEquals("1=9.0 5=9.0", ranking(ab));
        assertEquals(ranking(ab), ranking(ba));
    }
}
