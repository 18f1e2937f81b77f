package dev.focal.cli;

import dev.focal.head.LabelTargets;
import dev.focal.tensor.Tensor;

/** The labels mode of one eval run: the settings as the user gave them, and what they derived. */
final class HeadLabels {
    final String labelsName;
    final int classes;
    final LabelTargets.Background background;
    final LabelTargets.Normalize normalize;
    final float posWeight;
    final float negWeight;
    final LabelTargets result;
    private final Tensor labels;

    private HeadLabels(Tensor labels, String labelsName, int classes, LabelTargets.Background background,
                       LabelTargets.Normalize normalize, float posWeight, float negWeight, LabelTargets result) {
        this.labels = labels;
        this.labelsName = labelsName;
        this.classes = classes;
        this.background = background;
        this.normalize = normalize;
        this.posWeight = posWeight;
        this.negWeight = negWeight;
        this.result = result;
    }

    static HeadLabels derive(Tensor labels, String name, int classes, LabelTargets.Background background,
                             LabelTargets.Normalize normalize, float posWeight, float negWeight) {
        return new HeadLabels(labels, name, classes, background, normalize, posWeight, negWeight,
                LabelTargets.derive(labels, name, classes, background, normalize, posWeight, negWeight));
    }

    Tensor reshapeLogits(Tensor logits, String logitsName) {
        return LabelTargets.reshapeLogits(logits, logitsName, labels.shape(), classes);
    }

    String backgroundName() {
        return background == LabelTargets.Background.FIRST ? "first" : "last";
    }

    String normalizeName() {
        switch (normalize) {
            case PER_SAMPLE: return "per-sample";
            case BATCH: return "batch";
            default: return "none";
        }
    }
}
