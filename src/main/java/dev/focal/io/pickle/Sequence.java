package dev.focal.io.pickle;

import java.util.List;

/** A value whose items are members, as a list's are: numpy's object arrays. */
public interface Sequence {
    /** Whether this value is a sequence at all (an ndarray is one only with the object dtype). */
    boolean isSequence();

    /** The items in order; a 0-d object array has one, named by its parent's path alone. */
    List<Object> items();

    /** Whether the single item stands for the value itself (a 0-d array) rather than item 0. */
    boolean scalar();
}
