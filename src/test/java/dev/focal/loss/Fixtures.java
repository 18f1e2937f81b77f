package dev.focal.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.focal.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The loss package's fixtures, under src/test/resources/loss (written by tools/oracle and tools/rounding). */
final class Fixtures {
    private Fixtures() {
    }

    /** A tab-separated fixture's rows, each split at its tabs. */
    static List<String[]> tsv(String resource) {
        List<String[]> rows = new ArrayList<>();
        for (String line : new String(bytes(resource), StandardCharsets.UTF_8).split("\n")) {
            rows.add(line.split("\t"));
        }
        return rows;
    }

    /** The cases of torch's weight broadcast (tools/oracle/broadcast_oracle.py). */
    static JsonNode broadcastCases() {
        try {
            return JsonMapper.builder().build().readTree(bytes("loss/broadcast.json")).get("cases");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A shape written as a JSON list of dimensions. */
    static Shape shape(JsonNode dims) {
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asLong();
        }
        return Shape.of(d);
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
