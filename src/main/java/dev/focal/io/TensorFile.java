package dev.focal.io;

import dev.focal.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * An opened tensor file: a single array (.npy, a JSON array or scalar) or a bundle of named
 * arrays (.npz, a JSON object of arrays). Tensors may map the file, so they stay valid after
 * the file is closed only where the format says so; callers keep the file open while they work.
 */
public interface TensorFile extends AutoCloseable {
    /** The name used in messages: the path as the user gave it. */
    String name();

    /** Member names in file order; empty for a single-array file. */
    List<String> keys();

    /** Text the file carries beside its tensors (a .safetensors header's {@code __metadata__}), in file order. */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /**
     * The array under {@code key}. A null key selects the single array of a plain file, or the
     * only member of a one-member bundle; a bundle with several members then needs a key.
     */
    Tensor get(String key);

    @Override
    void close();
}
