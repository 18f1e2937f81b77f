package dev.focal.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a summary with a golden one, field by field: integers (anchor counts) exactly, other
 * numbers within a tolerance, non-finite figures as {@code --expect} compares them (infinities
 * exactly, NaN against NaN only with equal_nan), text exactly. Fields only the current summary
 * has are ignored, so newer versions can add fields; fields that name input files are ignored,
 * so goldens move between machines.
 * <p>
 * Figures are read in both forms focal has written: today's strict JSON (a non-finite figure as
 * the string "NaN", "Infinity" or "-Infinity", an undefined mean as null) and the bare NaN
 * tokens of earlier goldens, where a NaN also stood for an undefined mean; such a NaN matches a
 * null today.
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
    private final boolean equalNan;
    private final List<Mismatch> mismatches = new ArrayList<>();

    private GoldenStats(Tolerance tolerance, boolean equalNan) {
        this.tolerance = tolerance;
        this.equalNan = equalNan;
    }

    public static List<Mismatch> compare(JsonNode golden, JsonNode current, Tolerance tolerance, boolean equalNan) {
        GoldenStats g = new GoldenStats(tolerance, equalNan);
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
        } else if (isFigure(golden) && isFigure(current)) {
            if (!sameFigure(golden, current)) {
                mismatches.add(new Mismatch(path, golden.toString(), current.toString()));
            }
        } else if (!golden.equals(current)) {
            mismatches.add(new Mismatch(path, golden.toString(), current.toString()));
        }
    }

    /** A number, null (undefined), or one of the strings a non-finite figure is written as. */
    private static boolean isFigure(JsonNode n) {
        return n.isNumber() || n.isNull() || n.isTextual() && nonFinite(n.textValue()) != null;
    }

    private static Double nonFinite(String s) {
        switch (s) {
            case "NaN": return Double.NaN;
            case "Infinity": return Double.POSITIVE_INFINITY;
            case "-Infinity": return Double.NEGATIVE_INFINITY;
            default: return null;
        }
    }

    private boolean sameFigure(JsonNode golden, JsonNode current) {
        if (golden.isNull() || current.isNull()) {
            // An undefined figure; a bare NaN in a golden written before null existed meant the same.
            boolean legacyNaN = golden.isNumber() && Double.isNaN(golden.doubleValue());
            return current.isNull() && (golden.isNull() || legacyNaN);
        }
        if (golden.isIntegralNumber() && current.isIntegralNumber()) {
            return golden.bigIntegerValue().equals(current.bigIntegerValue());
        }
        double g = golden.isTextual() ? nonFinite(golden.textValue()) : golden.doubleValue();
        double c = current.isTextual() ? nonFinite(current.textValue()) : current.doubleValue();
        if (Double.isNaN(g) || Double.isNaN(c)) {
            return equalNan && Double.isNaN(g) && Double.isNaN(c);
        }
        if (Double.isInfinite(g) || Double.isInfinite(c)) {
            return g == c;
        }
        return tolerance.allows(Math.abs(c - g), g);
    }
}
