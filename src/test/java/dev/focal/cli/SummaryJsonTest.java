package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the JSON summary's schema, the one SummaryJson writes: every key path and its JSON type,
 * in order, for a labels-mode run with --top (the fullest summary). A change to the schema is a
 * change to this file (src/test/resources/summary/schema.txt), made on purpose and reviewed.
 */
class SummaryJsonTest {
    static final Path SCHEMA = Path.of("src/test/resources/summary/schema.txt");
    /** A heatmap loss's summary (docs/commands.md#heatmap-losses), for a (B, C, H, W) heatmap. */
    static final Path HEATMAP_SCHEMA = Path.of("src/test/resources/summary/schema_heatmap.txt");

    @Test
    void theSummarySchemaIsPinned() throws Exception {
        assertSchema(SCHEMA, "eval", "samples/anchor_head_labels.npz", "--num-classes", "3", "--top", "2",
                "--class-names", "Car,Pedestrian,Cyclist", "--json");
    }

    @Test
    void theHeatmapSummarySchemaIsPinned() throws Exception {
        Path d = HeatmapLossTest.DIR.resolve("centerhead_cls1");
        assertSchema(HEATMAP_SCHEMA, "eval", "--logits", d.resolve("logits.npy").toString(), "--targets",
                d.resolve("targets.npy").toString(), "--loss", "centernet", "--class-axis", "1", "--top", "2", "--json");
    }

    private static void assertSchema(Path schema, String... args) throws Exception {
        Cli r = Cli.run(args);
        assertEquals(0, r.code, r.toString());
        List<String> paths = new ArrayList<>();
        flatten("", EvalCommandTest.STRICT.readTree(r.out), paths);
        assertEquals(Files.readString(schema, StandardCharsets.UTF_8), String.join("\n", paths) + "\n");
    }

    /** "path: type" for every leaf; an array's elements as [] (the first one stands for all). */
    private static void flatten(String path, JsonNode n, List<String> out) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> f : n.properties()) {
                flatten(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), out);
            }
        } else if (n.isArray() && n.size() > 0 && n.get(0).isContainerNode()) {
            flatten(path + "[]", n.get(0), out);
        } else {
            out.add(path + ": " + (n.isArray() ? "array of " + (n.size() > 0 ? n.get(0).getNodeType() : "nothing")
                    : n.getNodeType().toString()).toLowerCase(java.util.Locale.ROOT));
        }
    }
}
