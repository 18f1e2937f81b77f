package dev.focal.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The K largest losses with their flat indices. NaN ranks above every number (it is what a user
 * hunting a broken total wants first), ties go to the lower index, so the result does not depend
 * on the order in which partial results are merged.
 */
public final class TopK {
    /** One kept element. */
    public static final class Item {
        public final long index;
        public final double loss;

        Item(long index, double loss) {
            this.index = index;
            this.loss = loss;
        }
    }

    /** Descending rank: larger loss first (NaN first of all), then lower index. */
    static final Comparator<Item> RANK = (a, b) -> {
        int c = Double.compare(b.loss, a.loss); // Double.compare puts NaN above +inf
        return c != 0 ? c : Long.compare(a.index, b.index);
    };

    private final int k;
    /** Worst kept item at the head, so it is the one replaced. */
    private final PriorityQueue<Item> heap;

    public TopK(int k) {
        this.k = k;
        this.heap = new PriorityQueue<>(Math.max(1, k), RANK.reversed());
    }

    public int capacity() {
        return k;
    }

    public void offer(long index, double loss) {
        if (k == 0) {
            return;
        }
        // Most elements rank below a full heap's worst: turned away before an Item is allocated
        // (a NaN loss, or a NaN worst, never compares below and takes the full comparison).
        if (heap.size() == k && loss < heap.peek().loss) {
            return;
        }
        Item item = new Item(index, loss);
        if (heap.size() < k) {
            heap.add(item);
        } else if (RANK.compare(item, heap.peek()) < 0) {
            heap.poll();
            heap.add(item);
        }
    }

    public void merge(TopK other) {
        for (Item i : other.heap) {
            offer(i.index, i.loss);
        }
    }

    /** The kept items, best first. */
    public List<Item> items() {
        List<Item> list = new ArrayList<>(heap);
        list.sort(RANK);
        return list;
    }
}
