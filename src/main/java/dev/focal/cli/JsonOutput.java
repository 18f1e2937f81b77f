package dev.focal.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.Writer;
import java.util.OptionalDouble;

/**
 * Summaries, reports and check results as strict RFC 8259 JSON, which every parser reads: a
 * non-finite figure is the string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}
 * (Jackson's WRITE_NAN_AS_STRINGS, on by default; {@code float(s)} reads it back in Python), and
 * an undefined one, a mean over no anchors, is {@code null}. Strings rather than null for NaN:
 * jq orders null below every number, so {@code jq -e '.loss.sum < 0.5'} would pass on a NaN loss,
 * while a string compares above every number; and null could not tell NaN from infinity.
 * Tensor files written as .json keep Python's bare NaN tokens instead (see JsonFormat).
 */
final class JsonOutput {
    /** Numbers as the shortest digits that read back exactly, on JDK 17 too (Numbers.shortest). */
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private JsonOutput() {
    }

    static JsonGenerator generator(Writer w) throws IOException {
        JsonGenerator g = compactGenerator(w);
        g.useDefaultPrettyPrinter();
        return g;
    }

    /** A generator writing each value on one line, as JSON lines want it. */
    static JsonGenerator compactGenerator(Writer w) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(w);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g;
    }

    /** {@code name: v}, or null when {@code v} is undefined (a mean over nothing, a tolerance none meets). */
    static void optional(JsonGenerator g, String name, OptionalDouble v) throws IOException {
        g.writeFieldName(name);
        if (v.isPresent()) {
            g.writeNumber(v.getAsDouble());
        } else {
            g.writeNull();
        }
    }
}
