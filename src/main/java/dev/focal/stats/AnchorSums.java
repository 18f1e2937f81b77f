package dev.focal.stats;

/**
 * Sums a block's anchors by kind into {@link BlockSums}. Implementations differ in speed, not in
 * bits: each adds in the lane order BlockSums defines. {@link #SCALAR}, and the vector kernel's
 * where the JDK's incubating Vector API is present.
 */
public interface AnchorSums {
    /** Sums anchors {@code from..to-1} of the block into {@code sums}, which is clear. */
    void sum(BlockSums sums, AnchorBlock block, int from, int to);

    /** BlockSums's own loops. */
    AnchorSums SCALAR = new AnchorSums() {
        @Override
        public void sum(BlockSums sums, AnchorBlock block, int from, int to) {
            sums.prepare(block, from, to);
            sums.addAnchors(block, from, to, from);
        }
    };
}
