package dev.focal.io;

import dev.focal.FocalException;
import dev.focal.tensor.Tensor;
import java.util.List;

/** A file that holds exactly one array and no keys. */
public final class SingleTensorFile implements TensorFile {
    private final String name;
    private final Tensor tensor;

    public SingleTensorFile(String name, Tensor tensor) {
        this.name = name;
        this.tensor = tensor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> keys() {
        return List.of();
    }

    @Override
    public Tensor get(String key) {
        if (key != null) {
            throw FocalException.input(name, "holds a single array, not a bundle: no key '" + IoErrors.shown(key) + "'");
        }
        return tensor;
    }

    @Override
    public void close() {
    }
}
