package dev.focal.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a summary with a golden one, field by field: integers (anchor counts) exactly, other
 * numbers within a tolerance (NaN matches NaN: a summary describes, it does not compute), text
 * exactly. Fields only the current summary has are ignored, so newer versions can add fields;
 * fields that name input files are ignored, so goldens move between machines.
 */
public final class GoldenStats {
    /** One field that differs, with both values as text. */
    public record Mismatch(String field, String golden, String current) {
        @Override
        public String toString() {
            return field + ": golden " + golden + ", now " + current;
        }
    }

    private static final Set<String> LOCATION_FIELDS = Set.of("weights_source", "labels.file");

    private final Tolerance tolerance;
    private final List<Mismatch> mismatches = new ArrayList<>();

    private GoldenStats(Tolerance tolerance) {
        this.tolerance = tolerance;
    }

    public static List<Mismatch> compare(JsonNode golden, JsonNode current, Tolerance tolerance) {
        GoldenStats g = new GoldenStats(tolerance);
        g.walk("", golden, current);
        return g.mismatches;
    }

    private void walk(String path, JsonNode golden, JsonNode current) {
        if (LOCATION_FIELDS.contains(path)) {
            return;
        }
        if (current == null || current.isMissingNode()) {
            mismatches.add(new Mismatch(path, golden.toString(), "(absent)"));
        } else if (golden.isObject() && current.isObject()) {
            for (Map.Entry<String, JsonNode> f : golden.properties()) {
                walk(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), current.get(f.getKey()));
            }
        } else if (golden.isArray() && current.isArray()) {
            if (golden.size() != current.size()) {
                mismatches.add(new Mismatch(path, golden.size() + " entries", current.size() + " entries"));
                return;
            }
            for (int i = 0; i < golden.size(); i++) {
                walk(path + "[" + i + "]", golden.get(i), current.get(i));
            }
        } else if (golden.isNumber() && current.isNumber()) {
            if (!sameNumber(golden, current)) {
                mismatches.add(new Mismatch(path, golden.asText(), current.asText()));
            }
        } else if (!golden.equals(current)) {
            mismatches.add(new Mismatch(path, golden.toString(), current.toString()));
        }
    }

    private boolean sameNumber(JsonNode golden, JsonNode current) {
        if (golden.isIntegralNumber() && current.isIntegralNumber()) {
            return golden.bigIntegerValue().equals(current.bigIntegerValue());
        }
        double g = golden.doubleValue();
        double c = current.doubleValue();
        if (Double.isNaN(g) || Double.isNaN(c)) {
            return Double.isNaN(g) && Double.isNaN(c);
        }
        if (Double.isInfinite(g) || Double.isInfinite(c)) {
            return g == c;
        }
        return tolerance.allows(Math.abs(c - g), g);
    }
}
