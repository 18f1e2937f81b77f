package dev.focal.io.pickle;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of an unpickled object, named by their paths (docs/formats.md#member-paths): a
 * tensor at the top is the file itself; in containers, dict keys and list or tuple indices
 * joined by {@code /}. Other leaves (numbers, strings, None) are not members.
 */
public final class PickledFile implements TensorFile {
    private final String name;
    private final TensorLeaf single;
    private final Map<String, TensorLeaf> members;
    private final Runnable onClose;

    private PickledFile(String name, TensorLeaf single, Map<String, TensorLeaf> members, Runnable onClose) {
        this.name = name;
        this.single = single;
        this.members = members;
        this.onClose = onClose;
    }

    /** Lists the tensors of {@code root}; {@code onClose} releases what the file holds open. */
    public static PickledFile of(String name, Object root, PickleLimits limits, Runnable onClose) {
        Object top = unwrap(root);
        if (top instanceof TensorLeaf && !(top instanceof Sequence && ((Sequence) top).isSequence())) {
            return new PickledFile(name, (TensorLeaf) top, Map.of(), onClose);
        }
        Map<String, TensorLeaf> members = new LinkedHashMap<>();
        new Walk(name, limits, members).visit(top, "", 0);
        if (members.isEmpty()) {
            throw FocalException.input(name, "holds no tensors (" + Unpickler.describe(top) + ")");
        }
        return new PickledFile(name, null, members, onClose);
    }

    /** A 0-d object array stands for its one item. */
    private static Object unwrap(Object v) {
        Object u = v;
        for (int i = 0; i < 8 && u instanceof Sequence && ((Sequence) u).isSequence() && ((Sequence) u).scalar(); i++) {
            u = ((Sequence) u).items().get(0);
        }
        return u;
    }

    private static final class Walk {
        private final String name;
        private final PickleLimits limits;
        private final Map<String, TensorLeaf> members;
        /** Leaves and containers visited: a shared container is walked each time it is met. */
        private long visited;

        Walk(String name, PickleLimits limits, Map<String, TensorLeaf> members) {
            this.name = name;
            this.limits = limits;
            this.members = members;
        }

        void visit(Object v, String path, int depth) {
            if (++visited > limits.maxValues()) {
                throw FocalException.input(name, "its containers list over " + limits.maxValues()
                        + " values (shared many times over?), more than focal reads");
            }
            Object u = unwrap(v);
            boolean sequence = u instanceof List || u instanceof Sequence && ((Sequence) u).isSequence();
            if (u instanceof TensorLeaf && !sequence) {
                if (members.size() == limits.maxTensors()) {
                    throw FocalException.input(name, "holds over " + limits.maxTensors()
                            + " tensors, more than focal reads");
                }
                members.putIfAbsent(path, (TensorLeaf) u);
                return;
            }
            if (depth == limits.maxDepth() && (u instanceof Map || sequence)) {
                throw FocalException.input(name, "containers nest deeper than " + limits.maxDepth() + " levels");
            }
            if (u instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) u).entrySet()) {
                    visit(e.getValue(), join(path, keyText(e.getKey())), depth + 1);
                }
            } else if (sequence) {
                List<?> items = u instanceof List ? (List<?>) u : ((Sequence) u).items();
                for (int i = 0; i < items.size(); i++) {
                    visit(items.get(i), join(path, Integer.toString(i)), depth + 1);
                }
            }
        }

        private static String keyText(Object k) {
            if (k instanceof Tuple) {
                List<String> parts = new ArrayList<>();
                for (Object o : (Tuple) k) {
                    parts.add(String.valueOf(o));
                }
                return String.join(",", parts);
            }
            return String.valueOf(k);
        }

        private static String join(String path, String key) {
            return path.isEmpty() ? key : path + "/" + key;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> keys() {
        return List.copyOf(members.keySet());
    }

    @Override
    public Tensor get(String key) {
        if (key == null) {
            if (single != null) {
                return single.tensor(name);
            }
            if (members.size() == 1) {
                Map.Entry<String, TensorLeaf> only = members.entrySet().iterator().next();
                return only.getValue().tensor(name + ":" + IoErrors.shown(only.getKey()));
            }
            throw FocalException.input(name, "holds " + members.size() + " tensors (" + IoErrors.listing(keys())
                    + "): name one as FILE:PATH");
        }
        if (single != null) {
            throw FocalException.input(name, "holds a single tensor, not a container: no member '"
                    + IoErrors.shown(key) + "'");
        }
        TensorLeaf leaf = members.get(key);
        if (leaf == null) {
            throw FocalException.input(name, "no tensor '" + IoErrors.shown(key) + "' (has: "
                    + IoErrors.listing(keys()) + ")");
        }
        return leaf.tensor(name + ":" + IoErrors.shown(key));
    }

    @Override
    public void close() {
        onClose.run();
    }
}
