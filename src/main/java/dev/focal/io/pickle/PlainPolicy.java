package dev.focal.io.pickle;

import java.util.List;

/** Plain containers and scalars only: every global is refused. */
public class PlainPolicy implements PicklePolicy {
    /** The refusal of a global; one wording for every policy. */
    public static Refusal refused(String module, String name) {
        return new Refusal("refuses to load " + dev.focal.io.IoErrors.shown(module + "." + name)
                + " (only tensors and plain containers are read)");
    }

    @Override
    public Object global(String module, String name) throws Refusal {
        throw refused(module, name);
    }

    @Override
    public Object call(Object callable, List<Object> args) throws Refusal {
        throw new Refusal("refuses to call " + Unpickler.describe(callable));
    }

    @Override
    public void build(Object target, Object state) throws Refusal {
        throw new Refusal("refuses to set the state of " + Unpickler.describe(target));
    }
}
