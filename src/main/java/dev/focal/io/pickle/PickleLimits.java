package dev.focal.io.pickle;

/**
 * Every cap the pickle readers check before they spend memory, in one place (as Jackson's
 * StreamReadConstraints holds a parser's). A file past any of them is exit 3, naming the limit;
 * the defaults fit a 256 MiB heap with room to spare, and no real checkpoint comes near them.
 * docs/formats.md#limits lists them for users.
 *
 * @param maxValues    values the pickle may make (pushes, container items, memo entries): bounds
 *                     the heap an object graph takes, whatever the file's size
 * @param maxText      characters of one string, or bytes of one bytes object, that are copied
 *                     onto the heap (tensor data is never copied: it stays in the file)
 * @param maxTotalText characters and bytes copied onto the heap over the whole pickle
 * @param maxDepth     nesting of containers, and of marks on the stack
 * @param maxRank      dimensions of one tensor (numpy's limit)
 * @param maxTensors   tensors (and members) one file may list
 * @param maxCopy      bytes of a strided view copied onto the heap to make it contiguous
 */
public record PickleLimits(long maxValues, int maxText, long maxTotalText, int maxDepth, int maxRank,
                           int maxTensors, long maxCopy) {
    /** The limits focal reads with. */
    public static final PickleLimits DEFAULT = new PickleLimits(2_000_000, 16 << 20, 64L << 20, 100, 64,
            100_000, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4));
}
