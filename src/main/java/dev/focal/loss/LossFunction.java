package dev.focal.loss;

/**
 * Which loss an evaluation computes (docs/semantics.md#heatmap-losses): OpenPCDet's sigmoid focal
 * classification loss, or one of the heatmap focal losses, whose alpha and gamma are exponents
 * with other defaults.
 */
public enum LossFunction {
    SIGMOID_FOCAL("sigmoid-focal", 2.0, 0.25),
    CENTERNET("centernet", 4.0, 2.0),
    GAUSSIAN("gaussian", 4.0, 2.0);

    private final String cliName;
    private final double defaultGamma;
    private final double defaultAlpha;

    LossFunction(String cliName, double defaultGamma, double defaultAlpha) {
        this.cliName = cliName;
        this.defaultGamma = defaultGamma;
        this.defaultAlpha = defaultAlpha;
    }

    /** The name --loss takes and the summary shows. */
    public String cliName() {
        return cliName;
    }

    public double defaultGamma() {
        return defaultGamma;
    }

    public double defaultAlpha() {
        return defaultAlpha;
    }

    public boolean heatmap() {
        return this != SIGMOID_FOCAL;
    }

    /** The heatmap loss's math for logits of float32 (else float64) precision; null for the sigmoid focal loss. */
    public HeatmapMath heatmapMath(boolean float32) {
        switch (this) {
            case CENTERNET: return HeatmapMath.centerNet(float32);
            case GAUSSIAN: return HeatmapMath.gaussian(float32);
            default: return null;
        }
    }

    /** The constant named by --loss; null for an unknown name. */
    public static LossFunction byName(String name) {
        for (LossFunction f : values()) {
            if (f.cliName.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
