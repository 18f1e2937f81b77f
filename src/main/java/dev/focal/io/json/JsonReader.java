package dev.focal.io.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import dev.focal.io.SingleTensorFile;
import dev.focal.io.TensorFile;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads JSON documents with Jackson's streaming parser. An array or scalar takes one pass. An
 * object takes two: the first learns its keys, so that a typed form's dtype is known before its
 * data whatever the key order (float32 data is then parsed as float32, not rounded through
 * double); the second reads the typed values. A bundle's plain arrays carry no dtype to wait
 * for, so the first pass reads them as it meets them: a bundle of plain arrays is parsed once.
 */
final class JsonReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final Set<String> TYPED_KEYS = Set.of("data", "shape", "dtype");

    private JsonReader() {
    }

    static TensorFile open(Path path, String name) {
        FirstPass first = parse(path, name, p -> firstPass(p, path, name));
        if (first.tensor != null) {
            return new SingleTensorFile(name, first.tensor);
        }
        if (first.outline.isTyped()) {
            Tensor t = parse(path, name, p -> {
                p.nextToken();
                return typed(p, name, first.outline);
            });
            return new SingleTensorFile(name, t);
        }
        return new JsonBundle(path, name, first.outline);
    }

    /** Reads one member of a bundle that {@link #open} outlined, in a pass of its own. */
    static Tensor member(Path path, String name, String key, Outline bundle) {
        String where = name + ":" + IoErrors.shown(key);
        Outline.Plain plain = bundle.plain.get(key);
        Tensor firstPass = plain == null ? null : plain.take();
        if (firstPass != null) {
            return firstPass;
        }
        return parse(path, where, p -> {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = key.equals(p.currentName());
                JsonToken t = p.nextToken();
                if (wanted) {
                    return t == JsonToken.START_OBJECT
                            ? typed(p, where, bundle.objects.get(key))
                            : JsonArray.read(p, where, null).toTensor();
                }
                p.skipChildren();
            }
            throw FocalException.input(where, "no longer in the file; it changed while being read");
        });
    }

    /** A plain document's tensor, or an object's outline. */
    private static final class FirstPass {
        final Tensor tensor;
        final Outline outline;

        FirstPass(Tensor tensor, Outline outline) {
            this.tensor = tensor;
            this.outline = outline;
        }
    }

    private static FirstPass firstPass(JsonParser p, Path path, String name) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw FocalException.input(name, Files.size(path) == 0 ? "empty file"
                    : "no JSON value, only whitespace");
        }
        if (t != JsonToken.START_OBJECT) {
            Tensor tensor = JsonArray.read(p, name, null).toTensor();
            expectEnd(p, name);
            return new FirstPass(tensor, null);
        }
        Outline o = Outline.read(p, name, true);
        expectEnd(p, name);
        if (o.isTyped()) {
            o.checkTyped(name);
        } else {
            o.checkBundle(name);
        }
        return new FirstPass(null, o);
    }

    /** Reads a typed form whose outline passed {@link Outline#checkTyped}; the parser is on its '{'. */
    private static Tensor typed(JsonParser p, String name, Outline o) throws IOException {
        DType dtype = o.dtype == null ? null : DType.byName(o.dtype);
        long[] shape = null;
        JsonArray data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            if (key.equals("shape")) {
                shape = shape(p, name);
            } else if (key.equals("data")) {
                data = JsonArray.read(p, name, dtype);
            }
            // "dtype" is a string, known from the outline.
        }
        return data.toTensor(shapeOf(name, data, shape));
    }

    private static long[] shape(JsonParser p, String name) throws IOException {
        long[] dims = new long[JsonArray.MAX_DEPTH];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw FocalException.input(name, "\"shape\" must be a list of non-negative integers, found "
                        + IoErrors.shown(p.getText()));
            }
            if (n == dims.length) {
                throw FocalException.input(name, "\"shape\" has over " + JsonArray.MAX_DEPTH + " dimensions");
            }
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    /** The declared shape when the data is nested to match it or is flat with as many values. */
    private static Shape shapeOf(String name, JsonArray data, long[] declared) {
        long[] nested = data.shape();
        if (declared == null || Arrays.equals(nested, declared)) {
            return Shape.of(nested);
        }
        String wanted = Shape.indexString(declared);
        Shape s;
        try {
            s = Shape.of(declared);
        } catch (IllegalArgumentException e) {
            throw FocalException.input(name, "\"shape\" " + wanted + " has more than 2^63 elements");
        }
        if (nested.length == 1 && data.count() == s.count()) {
            return s;
        }
        if (nested.length == 1) {
            throw FocalException.input(name, "data holds " + data.count() + " values, shape " + wanted
                    + " needs " + s.count());
        }
        throw FocalException.input(name, "data is " + (nested.length == 0 ? "a scalar" : "nested as "
                + Shape.indexString(nested)) + ", shape is " + wanted);
    }

    /** Jackson reads a second root value where Python's json refuses anything after the first. */
    private static void expectEnd(JsonParser p, String name) throws IOException {
        JsonLocation at;
        try {
            if (p.nextToken() == null) {
                return;
            }
            at = p.currentTokenLocation();
        } catch (JsonProcessingException e) {
            at = e.getLocation();
        }
        throw FocalException.input(name, "trailing content after the JSON value" + IoErrors.position(at));
    }

    /** Skips the value at the current token; nesting no valid member can have is refused here. */
    private static void skip(JsonParser p, String name) throws IOException {
        int depth = 0;
        for (JsonToken t = p.currentToken(); ; t = p.nextToken()) {
            // A typed member's data may be an object and 64 arrays deep.
            if (t.isStructStart() && ++depth > JsonArray.MAX_DEPTH + 1) {
                throw FocalException.input(name, "nested deeper than " + JsonArray.MAX_DEPTH + " levels");
            }
            if (t.isStructEnd()) {
                depth--;
            }
            if (depth == 0) {
                return;
            }
        }
    }

    /**
     * What the first pass learns of an object without keeping values: its keys in file order with
     * each value's first token, the text of a "dtype" string, and the same for members that are
     * objects (a bundle's typed members).
     */
    static final class Outline {
        /**
         * What an outline may keep, members and the keys of typed members together: a bundle is a
         * few named arrays, and an object of millions of keys would otherwise fill the heap.
         */
        static final int MAX_KEYS = 100_000;
        static final int MAX_KEY_CHARS = 1 << 20;

        private final Map<String, JsonToken> kinds = new LinkedHashMap<>();
        private final Map<String, Outline> objects = new HashMap<>();
        /** A document's plain array members, read in the first pass. */
        private final Map<String, Plain> plain = new HashMap<>();
        private String dtype;

        /**
         * A plain member as the first pass read it: its tensor until it is taken, or why the
         * values are not a tensor. The failure is kept, not thrown, so that one bad member spoils
         * only itself.
         */
        static final class Plain {
            private Tensor tensor;
            private final FocalException failure;

            private Plain(Tensor tensor, FocalException failure) {
                this.tensor = tensor;
                this.failure = failure;
            }

            /** Reads the member at the parser's current token, leaving the parser on its last token. */
            static Plain read(JsonParser p, String where) throws IOException {
                JsonStreamContext around = p.getParsingContext().getParent();
                try {
                    return new Plain(JsonArray.read(p, where, null).toTensor(), null);
                } catch (FocalException e) {
                    // The values are refused, not the JSON: step to the member's closing token,
                    // unless the JSON past the refusal cannot be read either.
                    try {
                        while (p.getParsingContext() != around) {
                            p.nextToken();
                        }
                    } catch (JsonProcessingException beyond) {
                        throw e;
                    }
                    return new Plain(null, e);
                }
            }

            /**
             * The tensor, once: the bundle does not keep a second copy of what its reader holds,
             * and a later request reads the member again in a pass of its own (null here).
             */
            Tensor take() {
                if (failure != null) {
                    throw failure;
                }
                Tensor t = tensor;
                tensor = null;
                return t;
            }
        }

        /** Keys and characters kept so far by the outline of one document. */
        private static final class Budget {
            int keys;
            long chars;

            void spend(String name, String text) {
                chars += text.length();
                if (chars > MAX_KEY_CHARS) {
                    throw FocalException.input(name, "its keys and dtypes run over " + MAX_KEY_CHARS
                            + " characters, more than focal reads from a JSON bundle");
                }
            }
        }

        static Outline read(JsonParser p, String name, boolean document) throws IOException {
            return read(p, name, document, new Budget());
        }

        private static Outline read(JsonParser p, String name, boolean document, Budget budget) throws IOException {
            Outline o = new Outline();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (++budget.keys > MAX_KEYS) {
                    throw FocalException.input(name, "holds over " + MAX_KEYS
                            + " keys, more than focal reads from a JSON bundle");
                }
                budget.spend(name, key);
                JsonToken t = p.nextToken();
                if (o.kinds.put(key, t) != null) {
                    throw FocalException.input(name, "holds key '" + IoErrors.shown(key) + "' twice");
                }
                if (t == JsonToken.VALUE_STRING && key.equals("dtype")) {
                    o.dtype = p.getText();
                    budget.spend(name, o.dtype);
                } else if (t == JsonToken.START_OBJECT && document) {
                    o.objects.put(key, read(p, name + ":" + IoErrors.shown(key), false, budget));
                } else if (t == JsonToken.START_ARRAY && document && !key.equals("data")) {
                    // "data" may yet turn out to be a typed form's, to be parsed with its dtype.
                    o.plain.put(key, Plain.read(p, name + ":" + IoErrors.shown(key)));
                } else {
                    skip(p, name);
                }
            }
            return o;
        }

        List<String> keys() {
            return List.copyOf(kinds.keySet());
        }

        /** Typed form: a "data" array (or a scalar beside "shape" or "dtype") and no keys but those three. */
        boolean isTyped() {
            JsonToken data = kinds.get("data");
            if (data == null || !TYPED_KEYS.containsAll(kinds.keySet())) {
                return false;
            }
            return data == JsonToken.START_ARRAY || data.isScalarValue() && kinds.size() > 1;
        }

        void checkTyped(String name) {
            JsonToken shape = kinds.get("shape");
            if (shape != null && shape != JsonToken.START_ARRAY) {
                throw FocalException.input(name, "\"shape\" must be a list of non-negative integers");
            }
            JsonToken type = kinds.get("dtype");
            if (type != null && type != JsonToken.VALUE_STRING) {
                throw FocalException.input(name, "\"dtype\" must be a string such as \"float32\"");
            }
            if (dtype != null && DType.byName(dtype) == null) {
                throw FocalException.input(name, "unknown dtype '" + IoErrors.shown(dtype) + "' (focal reads bool, int8..int64,"
                        + " uint8..uint64, float16, float32 and float64)");
            }
        }

        void checkBundle(String name) {
            if (kinds.isEmpty()) {
                throw FocalException.input(name, "holds no arrays");
            }
            for (Map.Entry<String, JsonToken> e : kinds.entrySet()) {
                String where = name + ":" + IoErrors.shown(e.getKey());
                JsonToken t = e.getValue();
                if (t == JsonToken.START_OBJECT) {
                    Outline member = objects.get(e.getKey());
                    if (!member.isTyped()) {
                        throw FocalException.input(where, "an object member must be a typed array"
                                + " {\"dtype\": ..., \"shape\": ..., \"data\": [...]}");
                    }
                    member.checkTyped(where);
                } else if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL) {
                    String hint = kinds.containsKey("data")
                            ? " (a typed array has no keys but data, shape and dtype)" : "";
                    throw FocalException.input(where, (t == JsonToken.VALUE_NULL ? "null" : "a string")
                            + " is not an array" + hint);
                }
            }
        }
    }

    private interface Pass<T> {
        T run(JsonParser p) throws IOException;
    }

    private static <T> T parse(Path path, String name, Pass<T> pass) {
        try (InputStream in = Files.newInputStream(path); JsonParser p = FACTORY.createParser(in)) {
            return pass.run(p);
        } catch (JsonProcessingException e) {
            throw FocalException.input(name, "invalid JSON" + IoErrors.jsonProblem(e), e);
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }
}
