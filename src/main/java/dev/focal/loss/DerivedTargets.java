package dev.focal.loss;

import java.util.function.LongToIntFunction;

/**
 * Targets and weights computed as the pass reads them instead of read from tensors: what a head
 * derives from its labels is several times their size, too big for the heap on big inputs. The
 * values are the ones the tensors would hold, so the pass's results do not change. Reads of different anchors may run on
 * different threads at once.
 */
public interface DerivedTargets {
    /**
     * Class c of anchor {@code firstAnchor + j} into {@code targets[c * count + j]} and
     * {@code weights[c * count + j]}, for j below {@code count}: a block as the pass holds it.
     */
    void read(long firstAnchor, int count, double[] targets, double[] weights);

    /** The target at a flat index of the logits. */
    double target(long index);

    /** The weight at a flat index of the logits. */
    double weight(long index);

    /** Whether every class of an anchor has the anchor's weight (false where some classes are not evaluated). */
    boolean weightsPerAnchor();

    /**
     * How many classes of an anchor the head evaluates, by the anchor's index: null when it
     * evaluates all of every anchor's; a separate multi-head's anchors have their head's.
     */
    default LongToIntFunction evaluatedClasses() {
        return null;
    }
}
