package dev.focal.stats;

/**
 * How an anchor (an index over all axes but the class axis) counts in the summary: ignored when
 * all its weights are zero, else positive when some target is above zero, else negative. A
 * heatmap loss counts elements in the same three slots, by their own rule ({@link HeatmapSums}):
 * peak, near and background.
 */
public enum AnchorKind {
    POSITIVE("positive", "peak"),
    NEGATIVE("negative", "near"),
    IGNORED("ignored", "background");

    private final String label;
    private final String heatmapLabel;

    AnchorKind(String label, String heatmapLabel) {
        this.label = label;
        this.heatmapLabel = heatmapLabel;
    }

    public String label() {
        return label;
    }

    /** The slot's name for a heatmap loss's elements, or for anchors. */
    public String label(boolean heatmap) {
        return heatmap ? heatmapLabel : label;
    }

    /** What the summary counts: a heatmap loss's elements, or anchors (the JSON summary's group name). */
    public static String counted(boolean heatmap) {
        return heatmap ? "elements" : "anchors";
    }
}
