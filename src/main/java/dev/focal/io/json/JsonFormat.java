package dev.focal.io.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorFormat;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * JSON as Python's json module and numpy meet it: nested lists of numbers or booleans, a bare
 * scalar, a typed form {@code {"dtype": ..., "shape": ..., "data": ...}} that keeps a dtype plain
 * lists would lose, and an object of such arrays as a bundle. Non-finite values are the bare
 * tokens json writes: {@code NaN}, {@code Infinity}, {@code -Infinity}.
 */
public final class JsonFormat implements TensorFormat {
    private static final JsonFactory WRITER = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    /** json.dumps's default look: ", " and ": " between items, nothing else. */
    private static final Separators PYTHON_SEPARATORS = Separators.createDefaultInstance()
            .withArrayValueSpacing(Separators.Spacing.AFTER)
            .withObjectEntrySpacing(Separators.Spacing.AFTER)
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator("");

    @Override
    public String name() {
        return "JSON";
    }

    /** The first byte of a value this format reads, after an optional UTF-8 BOM and whitespace. */
    @Override
    public boolean matchesContent(byte[] head, int length) {
        int i = length >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF ? 3 : 0;
        while (i < length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) {
            i++;
        }
        return i < length && "[{-0123456789NItf".indexOf(head[i]) >= 0;
    }

    @Override
    public boolean matchesExtension(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".json");
    }

    @Override
    public TensorFile open(Path path, String name) {
        return JsonReader.open(path, name);
    }

    @Override
    public boolean canWrite() {
        return true;
    }

    /** Plain nested lists when reading them back gives the same dtype and shape, else the typed form. */
    @Override
    public void write(Tensor t, OutputStream out) throws IOException {
        JsonGenerator g = WRITER.createGenerator(out);
        g.setPrettyPrinter(new DefaultPrettyPrinter(PYTHON_SEPARATORS)
                .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance)
                .withObjectIndenter(DefaultPrettyPrinter.NopIndenter.instance));
        if (readsBackPlain(t)) {
            writeNested(g, t, 0, 0);
        } else {
            g.writeStartObject();
            g.writeStringField("dtype", t.dtype().numpyName());
            g.writeArrayFieldStart("shape");
            for (long d : t.shape().dims()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeFieldName("data");
            if (nestingShowsShape(t.shape())) {
                writeNested(g, t, 0, 0);
            } else {
                // No values, and lists cannot nest inside an empty one: "shape" says it all.
                g.writeStartArray();
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeRaw('\n');
        g.close();
    }

    /** Whether the dtype and shape are what reading plain lists would give (an empty list is float64). */
    private static boolean readsBackPlain(Tensor t) {
        DType d = t.dtype();
        boolean inferred = d == DType.FLOAT64 || (d == DType.INT64 || d == DType.BOOL) && t.count() > 0;
        return inferred && nestingShowsShape(t.shape());
    }

    /** A 0 before the last axis hides the axes after it: [] cannot say (0, 3). */
    private static boolean nestingShowsShape(Shape shape) {
        for (int axis = 0; axis < shape.rank() - 1; axis++) {
            if (shape.dim(axis) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Writes the values from C-order {@code index} on as nested lists; returns the index after them. */
    private static long writeNested(JsonGenerator g, Tensor t, int axis, long index) throws IOException {
        if (axis == t.shape().rank()) {
            writeValue(g, t, index);
            return index + 1;
        }
        g.writeStartArray();
        for (long i = 0; i < t.shape().dim(axis); i++) {
            index = writeNested(g, t, axis + 1, index);
        }
        g.writeEndArray();
        return index;
    }

    /**
     * Exact values: jackson's Schubfach writer gives the shortest digits that parse back to the
     * same double or float (float16 goes through its exact float value; JDK 17's Double.toString
     * is not always the shortest), and its NaN, Infinity and -Infinity are the tokens Python's
     * json reads.
     */
    private static void writeValue(JsonGenerator g, Tensor t, long i) throws IOException {
        switch (t.dtype()) {
            case BOOL:
                g.writeBoolean(t.rawBits(i) != 0);
                break;
            case FLOAT64:
                g.writeNumber(NumberOutput.toString(t.getDouble(i), true));
                break;
            case FLOAT32:
            case FLOAT16:
            case BFLOAT16:
                g.writeNumber(NumberOutput.toString((float) t.getDouble(i), true));
                break;
            case UINT64:
                g.writeNumber(Long.toUnsignedString(t.getLong(i)));
                break;
            default:
                g.writeNumber(t.getLong(i));
        }
    }
}
