package dev.focal.io.json;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;

/**
 * A JSON object of named arrays. Its keys and its plain arrays come from the first pass over the
 * file; a typed member is parsed when asked for, in a pass of its own. One bad member spoils only
 * itself.
 */
final class JsonBundle implements TensorFile {
    private final Path path;
    private final String name;
    private final JsonReader.Outline outline;
    private final List<String> keys;

    JsonBundle(Path path, String name, JsonReader.Outline outline) {
        this.path = path;
        this.name = name;
        this.outline = outline;
        this.keys = outline.keys();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> keys() {
        return keys;
    }

    @Override
    public Tensor get(String key) {
        if (key == null) {
            if (keys.size() != 1) {
                throw FocalException.input(name, "holds " + keys.size() + " arrays (" + IoErrors.listing(keys)
                        + "): name one as FILE:KEY");
            }
            key = keys.get(0);
        } else if (!keys.contains(key)) {
            throw FocalException.input(name, "no array '" + IoErrors.shown(key) + "' (has: " + IoErrors.listing(keys) + ")");
        }
        return JsonReader.member(path, name, key, outline);
    }


    @Override
    public void close() {
    }
}
