package dev.focal.stats;

import java.util.Arrays;

/**
 * The report's per-cell figures over one range of anchors: the loss of each cell (its anchors'
 * losses, each summed over its classes in class order, added in anchor order), its positive
 * anchors (a heatmap loss's peaks) and its non-finite losses. A range covers a run of consecutive cells, so it holds just that run, from
 * {@link #first} on; ranges are merged in order, so a cell cut by a range boundary adds its two
 * parts in that order, the same for any number of threads.
 */
final class CellSums {
    private final Grid grid;
    /** The cell that {@code loss[0]} and its siblings hold, or -1 before any anchor. */
    private long first = -1;
    private double[] loss = new double[0];
    /** Counts of a cell: ints, which a cell's anchors times classes fit, keep a cell at 16 bytes. */
    private int[] positives = new int[0];
    private int[] nonFinite = new int[0];
    /** Cells held: {@code first .. first + held - 1}. */
    private int held;

    CellSums(Grid grid) {
        this.grid = grid;
    }

    Grid grid() {
        return grid;
    }

    /** Adds anchors {@code firstAnchor ..} of a block, given each one's loss, positives and non-finite losses. */
    void add(long firstAnchor, int anchors, double[] anchorLoss, int[] anchorPositives, int[] anchorNonFinite) {
        long end = Math.min(firstAnchor + anchors, (long) grid.cells() * grid.anchorsPerCell());
        if (end <= firstAnchor) {
            return;
        }
        int k = grid.anchorsPerCell();
        reach(firstAnchor / k, (end - 1) / k);
        for (long a = firstAnchor; a < end; a++) {
            int j = (int) (a - firstAnchor);
            int c = (int) (a / k - first);
            loss[c] += anchorLoss[j];
            positives[c] += anchorPositives[j];
            nonFinite[c] += anchorNonFinite[j];
        }
    }

    /** Makes room for cells {@code from .. to}, which come at or after those held. */
    private void reach(long from, long to) {
        if (first < 0) {
            first = from;
        }
        int need = (int) (to - first + 1);
        if (need > loss.length) {
            int size = Math.max(need, 2 * loss.length);
            loss = Arrays.copyOf(loss, size);
            positives = Arrays.copyOf(positives, size);
            nonFinite = Arrays.copyOf(nonFinite, size);
        }
        held = Math.max(held, need);
    }

    /** Adds a later range's cells. */
    void merge(CellSums o) {
        if (o.held == 0) {
            return;
        }
        reach(o.first, o.first + o.held - 1);
        int at = (int) (o.first - first);
        for (int i = 0; i < o.held; i++) {
            loss[at + i] += o.loss[i];
            positives[at + i] += o.positives[i];
            nonFinite[at + i] += o.nonFinite[i];
        }
    }

    /** The loss of every gathered cell, sample by sample, row-major (h, w); 0 for cells never reached. */
    double[] loss() {
        double[] all = new double[grid.cells()];
        if (held > 0) {
            System.arraycopy(loss, 0, all, (int) first, held);
        }
        return all;
    }

    /** The positive anchors (peaks) of every gathered cell, in the order of {@link #loss()}. */
    int[] positives() {
        return all(positives);
    }

    /** The non-finite losses of every gathered cell, in the order of {@link #loss()}. */
    int[] nonFinite() {
        return all(nonFinite);
    }

    private int[] all(int[] counts) {
        int[] all = new int[grid.cells()];
        if (held > 0) {
            System.arraycopy(counts, 0, all, (int) first, held);
        }
        return all;
    }
}
