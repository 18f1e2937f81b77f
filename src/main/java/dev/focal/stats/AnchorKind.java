package dev.focal.stats;

/**
 * How an anchor (an index over all axes but the class axis) counts in the summary: ignored when
 * all its weights are zero, else positive when some target is above zero, else negative.
 */
public enum AnchorKind {
    POSITIVE("positive"),
    NEGATIVE("negative"),
    IGNORED("ignored");

    private final String label;

    AnchorKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
