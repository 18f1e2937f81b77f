package dev.focal.io.pickle;

import java.util.List;

/**
 * What a pickle may build beyond plain containers and scalars. The unpickler asks the policy
 * for every global it meets, and for the outcome of every call, build and persistent id; the
 * policy answers with objects of its own making (never by loading a Python class), or refuses.
 * Refusals are {@link Refusal}s, which the unpickler turns into one-line input errors.
 */
public interface PicklePolicy {
    /** The object GLOBAL or STACK_GLOBAL {@code module.name} stands for. */
    Object global(String module, String name) throws Refusal;

    /** REDUCE and NEWOBJ: {@code callable}, an object of {@link #global}, applied to {@code args}. */
    Object call(Object callable, List<Object> args) throws Refusal;

    /** BUILD: {@code state} given to {@code target}; returns nothing, like Python's BUILD. */
    void build(Object target, Object state) throws Refusal;

    /** BINPERSID: the object a persistent id stands for. */
    default Object persistentLoad(Object pid) throws Refusal {
        throw new Refusal("a persistent id (" + Unpickler.describe(pid) + ") outside a torch.save file");
    }

    /** A policy's refusal, the problem after the file's name. */
    final class Refusal extends Exception {
        public Refusal(String problem) {
            super(problem, null, false, false);
        }
    }
}
