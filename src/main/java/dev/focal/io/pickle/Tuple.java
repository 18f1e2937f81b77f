package dev.focal.io.pickle;

import java.util.AbstractList;
import java.util.RandomAccess;

/** A Python tuple: immutable, told apart from a list only where Python tells them apart. */
public final class Tuple extends AbstractList<Object> implements RandomAccess {
    private final Object[] items;

    Tuple(Object[] items) {
        this.items = items;
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
